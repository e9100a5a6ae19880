"""Plain-text rendering of a lot timeline for terminals and logs."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sync.records import parse_time
from sync.timeline import release_status


def display_time(text: str | None, zone: tzinfo | None = None) -> str:
    """Format a recorded time in the station's zone (the machine's zone when None), to the second."""
    if not text:
        return "-"
    moment = parse_time(text).astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def format_duration(seconds: float) -> str:
    """Format seconds as ``2 h 05 min``, ``14 min 03 s`` or ``42 s``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def describe_event(event: dict[str, Any]) -> str:
    """Return a one-line summary of an event's body."""
    body = event["body"]
    kind = event["kind"]
    if kind == "lot_registered":
        masses = ", ".join(f"{c['container_id']} {c['net_mass']:g} {c['unit']}" for c in body["containers"])
        return f"lot {body['lot_id']} registered: {body['supplier']} lot {body['lot_number']}, grade {body['grade_id']}; {masses}"
    if kind == "container_relabelled":
        return f"{body['container_id']} relabelled {body['old_label']} -> {body['new_label']} ({body['reason']})"
    if kind == "transformation":
        inputs = " + ".join(f"{i['lot_id']}/{i['container_id']} {i['mass']:g} {i['unit']}" for i in body["inputs"])
        outputs = " + ".join(f"{o['lot_id']}/{o['container_id']} {o['mass']:g} {o['unit']}" for o in body["outputs"])
        return f"{body['step']} on {body['equipment_id']}: {inputs} -> {outputs}"
    if kind in ("container_opened", "container_resealed"):
        verb = "opened" if kind == "container_opened" else "resealed"
        control = "humidity control on" if body["humidity_control_active"] else "no humidity control"
        return (
            f"{body['container_id']} {verb} at {body['storage_location']}: {body['ambient_temperature_c']:g} °C, "
            f"{body['relative_humidity_pct']:g} % RH, {control}"
        )
    if kind == "sample_taken":
        return (
            f"sample {body['sample_id']} by {body['method_id']} v{body['method_version']}, {body['increments']} increments, "
            f"{body['compositing_rule']}, at {body['sample_location']}"
        )
    if kind == "result_recorded":
        return (
            f"result {body['result_id']} on {body['sample_id']}: {body['property']} = {body['value']:g} {body['unit']}"
        )
    if kind == "release_decision":
        return f"{body['decision']} by {body['approver_id']} under {body['rule_id']} v{body['rule_version']}: {body['reason']}"
    if kind == "correction":
        return f"corrects {body['corrects_event_id']}: {body['reason']}"
    return kind


def format_timeline_text(timeline: dict[str, Any], zone: tzinfo | None = None) -> str:
    """Render a timeline (from `sync.timeline.build_timeline`) as readable text, times in `zone`."""
    identity = timeline["identity"]
    query = timeline["query"]
    lines = [f"Lot {identity['lot_id']}"]
    if query["matched"] != "lot":
        lines.append(f"  found by {query['matched'].replace('_', ' ')} {query['text']}")
    origin = identity["origin_step"] or "registered"
    lines += [
        f"  supplier {identity['supplier'] or '-'}, lot number {identity['lot_number']}, grade {identity['grade_id']} v{identity['grade_version']}",
        f"  internal code {identity['internal_code']}, packaging {identity['packaging_type']}, origin {origin}",
        f"  mass {identity['total_mass_kg']:g} kg, recycled share {identity['recycled_share'] * 100:.1f} %"
        + (
            ""
            if identity.get("recycled_share_complete", True)
            else " (within the depth limit; use --depth for the full share)"
        ),
        f"  release status: {release_status(timeline)}",
        "",
        "Containers",
    ]
    for container in identity["containers"]:
        state = "OPEN since " + display_time(container["opened_at"], zone) if container["is_open"] else "sealed"
        labels = ", ".join(label for label in container["labels"] if label != container["current_label"])
        extra = f" (earlier labels: {labels})" if labels else ""
        lines.append(
            f"  {container['container_id']} label {container['current_label']}{extra}: {container['net_mass']:g} {container['unit']}, {state}"
        )

    lines += ["", f"Events ({len(timeline['events'])})"]
    for event in timeline["events"]:
        mark = f"  [voided by {event['voided_by']}]" if event["voided_by"] else ""
        lines.append(
            f"  {display_time(event['occurred_at'], zone)}  {event['station_id']}#{event['seq']}  {event['operator_id']}  {describe_event(event)}{mark}"
        )

    for title, key, share_key, share_text in (
        ("Upstream (what went into it)", "upstream", "share_of_this_lot", "of this lot"),
        ("Downstream (what it went into)", "downstream", "share_from_this_lot", "from this lot"),
    ):
        lines += ["", title]
        if not timeline[key]:
            lines.append("  none")
        for lot in timeline[key]:
            step = lot["origin_step"] or "registered"
            lines.append(
                f"  {'  ' * (lot['depth'] - 1)}gen {lot['depth']}: {lot['lot_id']} ({step}, {lot['supplier'] or 'made here'}, lot number {lot['lot_number']}) {lot[share_key] * 100:.1f} % {share_text}"
            )
    genealogy = timeline["genealogy"]
    if genealogy["upstream_truncated"] or genealogy["downstream_truncated"]:
        lines.append(f"  (stopped at depth {genealogy['max_depth']}; use --depth to go further)")
    if genealogy["has_cycle"]:
        lines.append("  (a reuse loop feeds this lot back into itself; each lot is listed once)")

    exposure = timeline["exposure"]
    limits = exposure["limits"]
    lines += ["", "Exposure"]
    limit_text = []
    if limits.get("max_open_minutes") is not None:
        limit_text.append(f"longest allowed open time {limits['max_open_minutes']:g} min")
    if limits.get("rh_limit_pct") is not None:
        limit_text.append(f"RH limit {limits['rh_limit_pct']:g} %")
    lines.append("  limits: " + (", ".join(limit_text) if limit_text else "none known for this grade"))
    lines.append(
        f"  cumulative open {format_duration(exposure['cumulative_open_s'])}, above RH limit {format_duration(exposure['above_rh_limit_s'])}, "
        f"windows over the open-time limit: {exposure['windows_over_max_open']}"
    )
    lines.append("  open now: " + (", ".join(exposure["open_now"]) or "none"))
    for container in exposure["containers"]:
        for window in container["windows"]:
            end = display_time(window["resealed_at"], zone) if window["resealed_at"] else "still open"
            flag = "  OVER LIMIT" if window["exceeds_max_open"] else ""
            lines.append(
                f"  {container['container_id']}: {display_time(window['opened_at'], zone)} -> {end}, {format_duration(window['open_s'])}{flag}"
            )

    lines += ["", "Samples"]
    if not timeline["samples"]:
        lines.append("  none")
    for sample in timeline["samples"]:
        mark = " [voided]" if sample["voided_by"] else ""
        lines.append(
            f"  {sample['sample_id']} {display_time(sample['taken_at'], zone)} {sample['method_id']} v{sample['method_version']}{mark}"
        )
        for result in sample["results"]:
            mark = " [voided]" if result["voided_by"] else ""
            lines.append(f"    {result['property']} = {result['value']:g} {result['unit']}{mark}")

    lines += ["", "Release decisions"]
    if not timeline["decisions"]:
        lines.append("  none")
    for decision in timeline["decisions"]:
        mark = " [voided]" if decision["voided_by"] else ""
        lines.append(
            f"  {display_time(decision['decided_at'], zone)} {decision['decision']} by {decision['approver_id']}: {decision['reason']}{mark}"
        )
    return "\n".join(lines) + "\n"
