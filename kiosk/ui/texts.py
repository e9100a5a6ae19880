"""Operator texts: every message, name and warning the kiosk shows, through Qt's translation functions.

Screens keep their own captions (``self.tr``). Texts that more than one
screen shows, and every error shown to an operator, are worded here, once. Texts from
`sync` (rule rejections, store errors) are English sentences with the ids in
them; they are shown after a translated lead such as "Not recorded:".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from kiosk.ui.alerts import ExposureWarning, format_clock_duration
from kiosk.ui.entries import EntryProblem

translate = QCoreApplication.translate


def event_kind(kind: str) -> str:
    """Return the name of an event kind."""
    names = {
        "lot_registered": translate("texts", "Lot registered"),
        "container_relabelled": translate("texts", "Relabelled"),
        "transformation": translate("texts", "Transformation"),
        "container_opened": translate("texts", "Opened"),
        "container_resealed": translate("texts", "Resealed"),
        "sample_taken": translate("texts", "Sample taken"),
        "result_recorded": translate("texts", "Result recorded"),
        "release_decision": translate("texts", "Release decision"),
        "correction": translate("texts", "Correction"),
    }
    return names.get(kind, kind)


def step_name(step: str) -> str:
    """Return the name of a transformation step."""
    names = {
        "drying": translate("texts", "Drying"),
        "milling": translate("texts", "Milling"),
        "sieving": translate("texts", "Sieving"),
        "blending": translate("texts", "Blending"),
        "separation": translate("texts", "Separation"),
        "recycling": translate("texts", "Recycling"),
        "other": translate("texts", "Other step"),
    }
    return names.get(step, step)


def material_origin(origin: str) -> str:
    """Return the name of a lot's material origin."""
    names = {
        "virgin": translate("texts", "Virgin"),
        "recycled": translate("texts", "Recycled"),
        "reused": translate("texts", "Reused"),
        "derived": translate("texts", "Made here"),
    }
    return names.get(origin, origin)


def packaging_type(name: str) -> str:
    """Return the shown name of a packaging type (the recorded value stays as it is)."""
    names = {
        "steel drum": translate("texts", "steel drum"),
        "plastic drum": translate("texts", "plastic drum"),
        "bottle": translate("texts", "bottle"),
        "bag": translate("texts", "bag"),
        "canister": translate("texts", "canister"),
        "IBC": translate("texts", "IBC"),
    }
    return names.get(name, name)


def decision_name(decision: str) -> str:
    """Return the name of a release decision."""
    names = {
        "released": translate("texts", "Released"),
        "rejected": translate("texts", "Rejected"),
        "on_hold": translate("texts", "On hold"),
        "conditional": translate("texts", "Conditional release"),
    }
    return names.get(decision, decision)


def camera_state(state: str) -> str:
    """Return the status bar's camera text for a capture state."""
    names = {
        "live": translate("texts", "Camera live"),
        "starting": translate("texts", "Camera starting"),
        "reconnecting": translate("texts", "Camera reconnecting"),
        "no_camera": translate("texts", "No camera"),
        "stopped": translate("texts", "Camera stopped"),
    }
    return names.get(state, state)


def sync_state(*, online: bool, configured: bool, error_code: str | None = None) -> str:
    """Return the status bar's connection text, with the last sync error in a few words (a `SyncError.code`)."""
    if not configured:
        return translate("texts", "No server")
    state = translate("texts", "Online") if online else translate("texts", "Offline")
    if not error_code:
        return state
    return translate("texts", "{state}: {reason}").format(state=state, reason=sync_error_reason(error_code))


def sync_error_reason(code: str) -> str:
    """Return a few words for a sync error code, as the status bar shows them after Online or Offline."""
    reasons = {
        "refused": translate("texts", "connection refused"),
        "name_not_resolved": translate("texts", "server name unknown"),
        "timed_out": translate("texts", "timed out"),
        "tls_failed": translate("texts", "TLS failed"),
        "connection_failed": translate("texts", "connection failed"),
        "response_cut_off": translate("texts", "response cut off"),
        "invalid_url": translate("texts", "invalid server URL"),
        "server_error": translate("texts", "server error"),
        "invalid_response": translate("texts", "invalid response"),
        "busy": translate("texts", "server busy"),
        "unauthorized": translate("texts", "token rejected"),
        "rejected": translate("texts", "request rejected"),
        "misconfigured": translate("texts", "check sync settings"),
    }
    return reasons.get(code, translate("texts", "sync failed"))


def waiting_count(count: int) -> str:
    """Return the status bar's count of events waiting to sync."""
    return translate("texts", "%n waiting", "", count)


def rejected_count(count: int) -> str:
    """Return the status bar's count of events the server rejected."""
    return translate("texts", "%n rejected", "", count)


def entry_problem(problem: EntryProblem) -> str:
    """Return what is wrong with a typed value and what to type instead."""
    value = problem.value
    if problem.code == "missing":
        return translate("texts", "Enter a value.")
    if problem.code == "not_a_number":
        return translate("texts", "{value} is not a number; use the digits and the decimal point.").format(value=value)
    if problem.code == "not_whole":
        return translate("texts", "{value} is not a whole number.").format(value=value)
    if problem.code in ("below_minimum", "above_maximum"):
        return translate("texts", "{value} is out of range; enter {minimum} to {maximum}.").format(
            value=value, minimum=_number(problem.minimum), maximum=_number(problem.maximum)
        )
    if problem.code == "invalid_identifier":
        return translate(
            "texts", "{value} is not a valid id; use letters, digits and . _ / - only, starting with a letter or digit."
        ).format(value=value)
    if problem.code == "too_long":
        return translate("texts", "Too long; enter at most {maximum} characters.").format(
            maximum=_number(problem.maximum)
        )
    if problem.code == "invalid_text":
        return translate("texts", "{value} contains control characters; type it again.").format(value=value)
    if problem.code == "invalid_date":
        return translate("texts", "{value} is not a date; enter it as YYYY-MM-DD.").format(value=value)
    return translate("texts", "{value} is not accepted.").format(value=value)


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}"


def exposure_warning(warning: ExposureWarning) -> str:
    """Return an exposure warning with the value and the limit."""
    if warning.code == "open_too_long":
        return translate("texts", "Open too long: {open} (limit {limit}). Reseal now.").format(
            open=format_clock_duration(warning.value), limit=format_clock_duration(warning.limit)
        )
    if warning.code == "open_near_limit":
        return translate("texts", "Open {open} of {limit} allowed. Reseal soon.").format(
            open=format_clock_duration(warning.value), limit=format_clock_duration(warning.limit)
        )
    if warning.code == "humidity_above_limit":
        return translate("texts", "Humidity {value:g} % RH is above this grade's limit of {limit:g} % RH.").format(
            value=warning.value, limit=warning.limit
        )
    return warning.code


def not_recorded(reason: str) -> str:
    """Return the message for an event the store did not record, with the store's reason."""
    return translate("texts", "Not recorded: {reason}").format(reason=reason)


def recorded(kind: str, subject: str) -> str:
    """Return the message for an event recorded."""
    return translate("texts", "{kind} recorded: {subject}").format(kind=event_kind(kind), subject=subject)


def event_summary(kind: str, body: dict[str, Any]) -> str:
    """Return a short line describing an event's body."""
    if kind in ("container_opened", "container_resealed"):
        control = translate("texts", "humidity control on") if body["humidity_control_active"] else ""
        text = translate("texts", "{container} at {location}, {temperature:g} °C, {humidity:g} % RH").format(
            container=body["container_id"],
            location=body["storage_location"],
            temperature=body["ambient_temperature_c"],
            humidity=body["relative_humidity_pct"],
        )
        return f"{text}, {control}" if control else text
    if kind == "lot_registered":
        return translate("texts", "Lot {lot} from {supplier}, lot number {number}, {count} containers").format(
            lot=body["lot_id"], supplier=body["supplier"], number=body["lot_number"], count=len(body["containers"])
        )
    if kind == "container_relabelled":
        return translate("texts", "{container}: label {old} replaced by {new} ({reason})").format(
            container=body["container_id"], old=body["old_label"], new=body["new_label"], reason=body["reason"]
        )
    if kind == "transformation":
        inputs = ", ".join(f"{line['lot_id']} {line['mass']:g} {line['unit']}" for line in body["inputs"])
        outputs = ", ".join(f"{line['lot_id']} {line['mass']:g} {line['unit']}" for line in body["outputs"])
        return translate("texts", "{step} on {equipment}: {inputs} → {outputs}").format(
            step=step_name(body["step"]), equipment=body["equipment_id"], inputs=inputs, outputs=outputs
        )
    if kind == "sample_taken":
        return translate(
            "texts", "Sample {sample} of lot {lot} by {method} v{version}, {increments} increments"
        ).format(
            sample=body["sample_id"],
            lot=body["lot_id"],
            method=body["method_id"],
            version=body["method_version"],
            increments=body["increments"],
        )
    if kind == "result_recorded":
        return translate("texts", "{sample}: {property} = {value:g} {unit}").format(
            sample=body["sample_id"], property=body["property"], value=body["value"], unit=body["unit"]
        )
    if kind == "release_decision":
        return translate("texts", "{decision} by {approver}: {reason}").format(
            decision=decision_name(body["decision"]), approver=body["approver_id"], reason=body["reason"]
        )
    if kind == "correction":
        return translate("texts", "Voids event {event}: {reason}").format(
            event=body["corrects_event_id"][:13], reason=body["reason"]
        )
    return kind


# --- Scans and log-in ------------------------------------------------------------


def scan_rejected(reason: str) -> str:
    """Return the flash text for a scan that was not accepted."""
    return translate("texts", "Scan not accepted: {reason}").format(reason=reason)


def log_in_first() -> str:
    """Return the reason a scan is rejected while no operator is logged in."""
    return translate("texts", "log in first: scan your badge or pick your name")


def unknown_scan(text: str) -> str:
    """Return the reason for a scan that names nothing at this station."""
    return translate("texts", "{text} names no container, lot, sample or badge here; register it or sync first").format(
        text=text
    )


def not_a_container(text: str) -> str:
    """Return the reason for a scan that should have been a container label."""
    return translate("texts", "{text} is not a container label; scan a container").format(text=text)


def wrong_pin(attempts_left: int) -> str:
    """Return the message for a wrong PIN."""
    return translate("texts", "Wrong PIN. %n attempt(s) left before a lock-out.", "", attempts_left)


def pin_locked(seconds: float) -> str:
    """Return the message while a badge's PIN log-in is locked."""
    return translate("texts", "Too many wrong PINs: try again in {seconds} s or scan your badge.").format(
        seconds=int(seconds + 0.999)
    )


def badge_unknown(badge_id: str) -> str:
    """Return the message for a badge that is not an active operator."""
    return translate("texts", "Badge {badge} is not an active operator here; ask a supervisor.").format(badge=badge_id)


def logged_in(name: str) -> str:
    """Return the greeting after a log-in."""
    return translate("texts", "Logged in: {name}").format(name=name)


def logged_out_idle(minutes: float) -> str:
    """Return the message after an automatic log-out."""
    return translate("texts", "Logged out after {minutes:g} min without use.").format(minutes=minutes)


def store_problem(reason: str) -> str:
    """Return the message for a store that cannot be read, with what to do."""
    return translate("texts", "The station store failed: {reason}").format(reason=reason)


def print_failed(reason: str) -> str:
    """Return the message for a label that did not print; the job stays queued."""
    return translate("texts", "Label not printed: {reason}. It stays queued and is retried.").format(reason=reason)


def printed(label: str) -> str:
    """Return the message for a printed label."""
    return translate("texts", "Label {label} printed.").format(label=label)


def printing_unavailable() -> str:
    """Return the message when no label printing is set up."""
    return translate("texts", "No label printer is set up at this station.")


def internal_error() -> str:
    """Return the message shown before the kiosk restarts after a bug."""
    return translate("texts", "The kiosk hit an internal error and restarts. Nothing recorded is lost.")
