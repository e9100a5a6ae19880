"""Demo quality control: sampling a lot, the lab's results (with the odd corrected typo) and the release decision."""

from __future__ import annotations

from sync.demo.plant import STATIONS_BY_ID
from sync.demo.quality import MEASUREMENT_NOISE, judge, measure
from sync.demo.reference import MethodVersion, RuleVersion
from sync.demo.state import LotSim, PlantState
from sync.records import Event

LAB_STATION = "ST-11"
QUALITY_OFFICE_STATION = "ST-12"
# Chance that a lab result is typed with the decimal point one place off (then corrected),
# and that a decision names a superseded rule version (then corrected).
RESULT_TYPO_RATE = 0.004
DECISION_WRONG_VERSION_RATE = 0.01
# The second results report of every history has a typo, so even a short history has a correction.
FORCED_TYPO_REPORT = 2
CONDITIONS = "use for development and test builds only; not for customer parts until a retest is within limits"


def inspect(state: PlantState, lot: LotSim) -> None:
    """Draw a sample from one or two sealed containers of a lot; the lab reports hours later."""
    containers = lot.sealed_containers()
    if not containers:
        # Every container is open at a printer or a bench right now: try again in an hour.
        state.later(3600, lambda: state.awaiting_inspection.append(lot))
        return
    chosen = containers[:2]
    is_blend = lot.next_pool == "blend"
    method = state.reference.method_in_force(state.day(), for_blend=is_blend)
    sampler = state.rng.choice(state.reference.lab_staff + state.reference.operators)

    state.open_all(LAB_STATION, chosen, sampler)
    sample_id = state.ids.short_id("S", state.clock.now_us)
    technique = "riffle divider after tumble mixing" if is_blend else "thief from top to bottom of each container"
    body = {
        "sample_id": sample_id,
        "lot_id": lot.lot_id,
        "container_ids": [container.container_id for container in chosen],
        "method_id": method.method_id,
        "method_version": method.version,
        "sample_location": f"{STATIONS_BY_ID[LAB_STATION].location.name}, {technique}",
        "increments": method.increments,
        "compositing_rule": method.compositing_rule,
    }
    state.record(LAB_STATION, "sample_taken", body, sampler)
    state.highlights.samples += 1
    state.reseal_all(LAB_STATION, chosen, sampler)
    state.later(state.rng.uniform(3_600, 6 * 3_600), lambda: report_results(state, lot, sample_id, method))


def report_results(state: PlantState, lot: LotSim, sample_id: str, method: MethodVersion) -> None:
    """Record one result per property the rule in force checks, then the release decision."""
    rule = state.reference.rule_in_force(state.day())
    state.results_reports += 1
    force_typo = state.results_reports == FORCED_TYPO_REPORT
    analyst = state.rng.choice(state.reference.lab_staff)
    measured: dict[str, float] = {}
    result_ids = []
    for criterion in rule.criteria:
        name = criterion.property
        value = measure(lot.properties, name, state.rng.gauss(0, MEASUREMENT_NOISE[name]))
        measured[name] = value
        typo = force_typo or state.rng.random() < RESULT_TYPO_RATE
        force_typo = False
        result_id = state.ids.short_id("R", state.clock.now_us)
        typed = round(value * 10, 6) if typo else value
        event = _record_result(state, result_id, sample_id, lot, name, typed, criterion.unit, method, analyst)
        if typo:
            corrected_id = state.ids.short_id("R", state.clock.now_us)
            reason = (
                f"{name} typed as {typed:g} {criterion.unit} with the decimal point one place off; "
                f"re-recorded as {corrected_id}"
            )
            correct(state, LAB_STATION, event, reason, analyst)
            _record_result(state, corrected_id, sample_id, lot, name, value, criterion.unit, method, analyst)
            result_id = corrected_id
        result_ids.append(result_id)
    decide(state, lot, rule, measured, sample_id, result_ids)


def _record_result(
    state: PlantState,
    result_id: str,
    sample_id: str,
    lot: LotSim,
    name: str,
    value: float,
    unit: str,
    method: MethodVersion,
    analyst: str,
) -> Event:
    body = {
        "result_id": result_id,
        "sample_id": sample_id,
        "lot_id": lot.lot_id,
        "property": name,
        "value": value,
        "unit": unit,
        "method_id": method.method_id,
        "method_version": method.version,
    }
    return state.record(LAB_STATION, "result_recorded", body, analyst)


def decide(
    state: PlantState, lot: LotSim, rule: RuleVersion, measured: dict[str, float], sample_id: str, result_ids: list[str]
) -> None:
    """Record the release decision the results call for, and move the lot on.

    All results within limits: released. Any result far outside: rejected.
    Marginal results: on hold for a retest the first time, then conditional.
    """
    verdict = judge(list(rule.criteria), measured)
    if verdict.outcome == "pass":
        decision, reason = "released", f"{verdict.findings} under {rule.rule_id} v{rule.version}"
    elif verdict.outcome == "fail":
        decision, reason = "rejected", f"{verdict.findings} under {rule.rule_id} v{rule.version}; lot quarantined"
    elif lot.hold_count == 0:
        decision, reason = "on_hold", f"{verdict.findings}, within the retest margin; held for a retest"
    else:
        decision, reason = "conditional", f"{verdict.findings} again on retest; released with conditions"
    signer = state.signer()
    body: dict[str, object] = {
        "lot_id": lot.lot_id,
        "decision": decision,
        "rule_id": rule.rule_id,
        "rule_version": rule.version,
        "approver_id": signer,
        "reason": reason,
        "sample_ids": [sample_id],
        "result_ids": result_ids,
    }
    if decision == "conditional":
        body["conditions"] = CONDITIONS

    superseded = [r for r in state.reference.rules if r.version < rule.version]
    if superseded and state.rng.random() < DECISION_WRONG_VERSION_RATE:
        wrong = {**body, "rule_version": superseded[-1].version}
        event = state.record(QUALITY_OFFICE_STATION, "release_decision", wrong, signer)
        fix = f"decision recorded under {rule.rule_id} v{superseded[-1].version}, superseded by v{rule.version}; re-recorded"
        correct(state, QUALITY_OFFICE_STATION, event, fix, signer)
    state.record(QUALITY_OFFICE_STATION, "release_decision", body, signer)
    _after_decision(state, lot, decision, verdict.findings)


def _after_decision(state: PlantState, lot: LotSim, decision: str, findings: str) -> None:
    if decision in ("released", "conditional"):
        state.pool(lot, lot.next_pool)
    elif decision == "on_hold":
        lot.hold_count += 1
        state.later(state.rng.uniform(0.2, 1.5) * 86_400, lambda: state.awaiting_inspection.append(lot))
    else:
        # A rejected lot is returned to its supplier or scrapped.
        state.retire(lot)
        if len(state.highlights.rejected) < 50:
            state.highlights.rejected.append((lot.lot_id, findings))


def correct(state: PlantState, station_id: str, event: Event, reason: str, operator_id: str) -> None:
    """Record a correction voiding an event; the correction names the event's subjects so their timelines show it."""
    body = {"corrects_event_id": event.event_id, "reason": reason, "subject_ids": list(event.subjects)}
    state.record(station_id, "correction", body, operator_id)
