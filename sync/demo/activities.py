"""The demo plant's day: which activity comes next, goods-in with relabelling, store checks, and the run loop."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from sync.demo import steps
from sync.demo.inspection import inspect
from sync.demo.plant import GRADE_PROFILES, PRINTERS, SUPPLIERS, GradeProfile
from sync.demo.quality import Properties, push_past_limit
from sync.demo.state import ContainerSim, Highlights, HistoryComplete, PlantState

# Mean time between two activities of the plant during a shift: about a thousand events a day.
MEAN_ACTIVITY_GAP_S = 80.0
# A grade whose virgin stock falls below this is reordered.
REORDER_STOCK_KG = 250.0
# Share of received containers whose supplier label is replaced by the plant's own QR label.
RELABEL_ON_RECEIPT = 0.35
# Shares of receipts whose powder is just outside the acceptance rule (held, retested) or well outside (rejected).
MARGINAL_RECEIPT_RATE = 0.04
OFF_SPEC_RECEIPT_RATE = 0.03
# The second receipt of every history is marginal and the third off-spec, so even a short
# history has a hold, a conditional release and a rejection.
FORCED_MARGINAL_RECEIPT = 2
FORCED_OFF_SPEC_RECEIPT = 3
RELABEL_REASONS = (
    "label torn while moving the container",
    "label unreadable after cleaning the container",
    "label smeared with powder; the scanner could not read it",
    "container moved to a new rack; rack-coded label printed",
)
# Kestrel supplies powder reused at a partner plant, declared as such on its certificates.
REUSED_POWDER_SUPPLIER = "KPW"

Activity = Callable[[], None]


def run_history(state: PlantState) -> Highlights:
    """Run the plant until the requested number of events is made; return what is worth naming."""
    try:
        while True:
            state.clock.next_activity(MEAN_ACTIVITY_GAP_S)
            state.run_due_jobs()
            choose_activity(state)()
    except HistoryComplete:
        pass
    return state.highlights


def choose_activity(state: PlantState) -> Activity:
    """Draw the next activity, weighted by what work is waiting."""
    choices: list[tuple[float, Activity]] = [(1.5, lambda: store_check(state)), (0.25, lambda: relabel_any(state))]
    if state.awaiting_inspection:
        choices.append((5.0, lambda: inspect(state, state.awaiting_inspection.pop(0))))
    for profile in GRADE_PROFILES:
        choices += _grade_activities(state, profile)

    point = state.rng.random() * sum(weight for weight, _activity in choices)
    for weight, activity in choices:
        point -= weight
        if point < 0:
            return activity
    return choices[-1][1]


def _grade_activities(state: PlantState, profile: GradeProfile) -> list[tuple[float, Activity]]:
    grade = profile.grade_id
    pools = state.pools
    reorder = _virgin_stock_kg(state, grade) < REORDER_STOCK_KG
    choices: list[tuple[float, Activity]] = [(3.0 if reorder else 0.05, lambda: receive(state, profile))]
    if pools[(grade, "to_dry")]:
        choices.append((3.0, lambda: steps.dry(state, grade)))
    if pools[(grade, "to_sieve")]:
        choices.append((3.0, lambda: steps.sieve(state, grade)))
    if sum(lot.mass_kg for lot in pools[(grade, "oversize")]) >= 10:
        choices.append((0.6, lambda: steps.mill(state, grade)))
    has_virgin_feed = bool(pools[(grade, "virgin_feed")])
    for circuit in PRINTERS[grade]:
        choices += _circuit_activities(state, circuit, has_virgin_feed=has_virgin_feed)
    return choices


def _circuit_activities(state: PlantState, circuit: str, *, has_virgin_feed: bool) -> list[tuple[float, Activity]]:
    pools = state.pools
    choices: list[tuple[float, Activity]] = []
    if pools[(circuit, "to_sieve")]:
        choices.append((1.0, lambda: steps.sieve(state, circuit)))
    if pools[(circuit, "recovered")]:
        choices.append((1.0, lambda: steps.separate(state, circuit)))
    if has_virgin_feed:
        choices.append((_blend_weight(state, circuit), lambda: steps.blend(state, circuit)))
    if pools[(circuit, "blend")]:
        choices.append((1.5, lambda: steps.build(state, circuit)))
    if any(lot.source_blend is not None for lot in pools[(circuit, "recycled_feed")]):
        # The first top-up comes as soon as one is possible, so even a short history has a reuse loop.
        weight = 0.1 if state.highlights.top_ups else 5.0
        choices.append((weight, lambda: steps.top_up(state, circuit)))
    return choices


def _virgin_stock_kg(state: PlantState, grade: str) -> float:
    pools = ("to_dry", "to_sieve", "virgin_feed")
    stock = sum(lot.mass_kg for pool in pools for lot in state.pools[(grade, pool)])
    waiting = sum(
        lot.mass_kg for lot in state.awaiting_inspection if lot.grade.grade_id == grade and lot.origin == "virgin"
    )
    return stock + waiting


def _blend_weight(state: PlantState, circuit: str) -> float:
    """Blend often when recycled feed waits or the printer has no blend, seldom otherwise."""
    recycled_kg = sum(lot.mass_kg for lot in state.pools[(circuit, "recycled_feed")])
    blends_in_use = len(state.pools[(circuit, "blend")])
    if blends_in_use == 0 or recycled_kg >= 40:
        return 1.0
    return 0.1 if blends_in_use < 2 else 0.02


# --- Goods-in ----------------------------------------------------------------


def receive(state: PlantState, grade: GradeProfile) -> None:
    """Register a supplier's lot with its containers at goods-in, relabel some, and queue it for inspection."""
    rng = state.rng
    supplier = rng.choice([s for s in SUPPLIERS if grade.grade_id in s.grade_ids])
    state.receipts += 1
    local = state.clock.local_date()
    state.supplier_serials[f"{supplier.code}{local.year}"] += 1
    lot_number = supplier.lot_number(local.year, state.supplier_serials[f"{supplier.code}{local.year}"])
    reused = supplier.code == REUSED_POWDER_SUPPLIER
    lot = state.new_lot(grade, "recycled" if reused else "virgin", 0, _received_properties(state, grade))
    if reused:
        # Reused powder joins one printer's circuit, like powder recovered in the plant.
        lot.circuit = rng.choice(PRINTERS[grade.grade_id])

    count = rng.randint(3, 6)
    masses = [grade.container_kg] * (count - 1) + [round(grade.container_kg * rng.uniform(0.4, 1.0), 2)]
    barcodes = [supplier.container_barcode(lot_number, index + 1) for index in range(count)]
    production = local.date() - timedelta(days=rng.randint(10, 90))
    body: dict[str, object] = {
        "lot_id": lot.lot_id,
        "lot_number": lot_number,
        "supplier": supplier.name,
        "grade_id": grade.grade_id,
        "grade_version": state.reference.grade_versions[grade.grade_id],
        "internal_code": f"{grade.grade_id}/IN",
        "packaging_type": grade.packaging_type,
        "containers": [
            {"container_id": c, "net_mass": kg, "unit": "kg"} for c, kg in zip(barcodes, masses, strict=True)
        ],
        "material_origin": "reused" if reused else "virgin",
        "production_date": production.isoformat(),
        "expiry_date": (production + timedelta(days=730)).isoformat(),
    }
    if rng.random() < 0.6:
        body["gtin"] = gtin_14(rng)
    operator = state.operator()
    state.record("ST-01", "lot_registered", body, operator)
    containers = [state.add_container(lot, c, kg) for c, kg in zip(barcodes, masses, strict=True)]
    lot.initial_kg = lot.mass_kg

    for container in containers:
        if rng.random() < RELABEL_ON_RECEIPT:
            relabel(state, "ST-01", container, "supplier label replaced by the plant's QR label", operator)
    lot.next_pool = "to_dry" if grade.needs_drying and not reused else "to_sieve"
    state.awaiting_inspection.append(lot)


def _received_properties(state: PlantState, grade: GradeProfile) -> Properties:
    rng = state.rng
    props = Properties(
        d50_um=rng.gauss(grade.d50_um, 1.5),
        moisture_pct=max(rng.gauss(grade.moisture_pct, grade.moisture_pct * 0.25), 0.005),
        oxygen_wt_pct=max(rng.gauss(grade.oxygen_wt_pct, grade.oxygen_wt_pct * 0.06), 0.005),
    )
    criteria = state.reference.rule_in_force(state.day()).criteria
    draw = rng.random()
    if state.receipts == FORCED_MARGINAL_RECEIPT:
        draw = 0.0
    elif state.receipts == FORCED_OFF_SPEC_RECEIPT:
        draw = MARGINAL_RECEIPT_RATE
    if draw < MARGINAL_RECEIPT_RATE:
        push_past_limit(props, rng.choice(criteria), 0.04)
    elif draw < MARGINAL_RECEIPT_RATE + OFF_SPEC_RECEIPT_RATE:
        push_past_limit(props, rng.choice(criteria), rng.uniform(0.15, 0.3))
    return props


def gtin_14(rng: random.Random) -> str:
    """Return a GTIN-14 with a valid GS1 check digit."""
    digits = f"0{rng.randrange(10**12):012d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


# --- Stores ------------------------------------------------------------------


def relabel(state: PlantState, station_id: str, container: ContainerSim, reason: str, operator_id: str) -> None:
    """Put a new plant label on a container; its old label keeps naming it."""
    new_label = state.ids.short_id("C", state.clock.now_us)
    body = {
        "container_id": container.container_id,
        "old_label": container.label,
        "new_label": new_label,
        "reason": reason,
    }
    state.record(station_id, "container_relabelled", body, operator_id)
    if len(state.highlights.relabels) < 50:
        state.highlights.relabels.append((container.container_id, container.label, new_label))
    container.label = new_label


def relabel_any(state: PlantState) -> None:
    """Replace a damaged label on a container in one of the stores."""
    container = state.containers.pick(state.rng)
    if container is None:
        return
    reason = state.rng.choice(RELABEL_REASONS)
    relabel(state, _store_of(state, container), container, reason, state.operator())


def store_check(state: PlantState) -> None:
    """Open a stored container for a visual check; now and then it is left open for hours."""
    container = state.containers.pick(state.rng)
    if container is None or container.is_open:
        return
    station_id = _store_of(state, container)
    operator = state.operator()
    state.open_container(station_id, container, operator)
    if state.rng.random() < 0.04:
        state.reseal_later(station_id, container, operator, state.rng.uniform(3_600, 6 * 3_600))
        return
    open_s = state.rng.uniform(120, 900)
    state.clock.advance(open_s)
    state.reseal_container(station_id, container, operator, open_s)


def _store_of(state: PlantState, container: ContainerSim) -> str:
    """Return the store a container sits in: moisture-sensitive grades mostly in the dry store."""
    sensitive = container.lot.grade.needs_drying
    return "ST-02" if sensitive and state.rng.random() < 0.8 else "ST-03"
