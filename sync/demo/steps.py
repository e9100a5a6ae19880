"""Demo transformations: drying, sieving, separation, milling, blending, builds with powder recovery, top-ups.

Each step takes powder from sealed containers of the lots it names, opens
them at its station, records one transformation and reseals them. New lots
get new containers; a top-up pours into an existing container of the lot it
tops up.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from sync.demo.plant import PRINTERS, STATIONS_BY_ID
from sync.demo.quality import mix
from sync.demo.state import ContainerSim, LotSim, PlantState
from sync.records import Event

# A blend with less than this share of its mass left may go into the next blend as its rest.
BLEND_REST_SHARE = 0.35
# Chance that a blend takes the rest of another printer's blend (emptied for maintenance):
# this merges two circuits' genealogies, so it stays rare.
CROSS_CIRCUIT_REST_RATE = 0.01
# A recovery drum holding this much goes on to separation; the next build starts a new drum.
RECOVERY_DRUM_KG = 40.0
# Internal material codes per step, appended to the grade: TI64-G23/BL is a Ti-6Al-4V blend.
STAGE_CODES = {
    "drying": "DR",
    "sieving": "SV",
    "oversize": "OS",
    "separation": "SP",
    "fines": "FN",
    "milling": "ML",
    "blending": "BL",
    "recycling": "RC",
}

Draw = list[tuple[ContainerSim, float]]


def transform(
    state: PlantState,
    station_id: str,
    step: str,
    parameters: dict[str, Any],
    inputs: Draw,
    outputs: list[tuple[LotSim, float]],
    *,
    new_lots: list[tuple[LotSim, str]],
    into: ContainerSim | None = None,
    inputs_already_taken: bool = False,
) -> Event:
    """Record one transformation with the opening and resealing of the containers it touches.

    `outputs` pairs each output lot with its kg; they go into new containers
    of the grade's size unless `into` names the existing container to fill.
    `new_lots` pairs each lot the step creates with its stage code key.
    With `inputs_already_taken` (powder loaded into a printer earlier) the
    input containers are neither opened nor emptied again.
    """
    operator = state.operator()
    touched = [] if inputs_already_taken else [container for container, _kg in inputs]
    if into is not None:
        touched.append(into)
    state.open_all(station_id, touched, operator)

    output_lines, new_containers = _output_lines(state, outputs, into)
    body = {
        "step": step,
        "equipment_id": _equipment_of(station_id),
        "parameters": parameters,
        "inputs": [
            {"container_id": c.container_id, "lot_id": c.lot.lot_id, "mass": round(kg, 2), "unit": "kg"}
            for c, kg in inputs
        ],
        "outputs": output_lines,
        "new_lots": [_new_lot_line(state, lot, stage) for lot, stage in new_lots],
    }
    event = state.record(station_id, "transformation", body, operator)

    if not inputs_already_taken:
        for container, kg in inputs:
            state.take(container, kg)
    for lot, container_id, kg in new_containers:
        state.add_container(lot, container_id, kg)
    if into is not None:
        into.mass_kg = round(into.mass_kg + sum(kg for _lot, kg in outputs), 2)
    for lot, _stage in new_lots:
        lot.initial_kg = lot.mass_kg
    state.reseal_all(station_id, touched, operator)
    return event


def _equipment_of(station_id: str) -> str:
    equipment_id = STATIONS_BY_ID[station_id].equipment_id
    assert equipment_id is not None, f"station {station_id} runs no equipment"
    return equipment_id


def _output_lines(
    state: PlantState, outputs: list[tuple[LotSim, float]], into: ContainerSim | None
) -> tuple[list[dict[str, Any]], list[tuple[LotSim, str, float]]]:
    lines: list[dict[str, Any]] = []
    new_containers: list[tuple[LotSim, str, float]] = []
    for lot, kg in outputs:
        if into is not None:
            lines.append(_output_line(into.container_id, lot, kg, is_new=False))
            continue
        for part_kg in split_into_containers(kg, lot.grade.container_kg):
            container_id = state.ids.short_id("C", state.clock.now_us)
            lines.append(_output_line(container_id, lot, part_kg, is_new=True))
            new_containers.append((lot, container_id, part_kg))
    return lines, new_containers


def _output_line(container_id: str, lot: LotSim, kg: float, *, is_new: bool) -> dict[str, Any]:
    return {"container_id": container_id, "lot_id": lot.lot_id, "mass": kg, "unit": "kg", "is_new_container": is_new}


def _new_lot_line(state: PlantState, lot: LotSim, stage: str) -> dict[str, Any]:
    grade = lot.grade
    return {
        "lot_id": lot.lot_id,
        "grade_id": grade.grade_id,
        "grade_version": state.reference.grade_versions[grade.grade_id],
        "internal_code": f"{grade.grade_id}/{STAGE_CODES[stage]}",
        "packaging_type": grade.packaging_type,
    }


def split_into_containers(kg: float, container_kg: float) -> list[float]:
    """Split a mass into full containers and one part-filled container, each at least 0.01 kg."""
    count = max(math.ceil(round(kg, 2) / container_kg - 1e-9), 1)
    parts = [container_kg] * (count - 1)
    parts.append(round(max(kg - container_kg * (count - 1), 0.01), 2))
    return parts


def draw(lot: LotSim, kg: float) -> Draw:
    """Plan taking up to `kg` from a lot's sealed containers, in container order."""
    plan: Draw = []
    left = round(kg, 2)
    for container in lot.sealed_containers():
        if left < 0.01:
            break
        take = round(min(container.mass_kg, left), 2)
        if take >= 0.01:
            plan.append((container, take))
            left = round(left - take, 2)
    return plan


def draw_all(lots: list[LotSim]) -> Draw:
    """Plan taking everything in the lots' sealed containers."""
    return [(container, container.mass_kg) for lot in lots for container in lot.sealed_containers()]


def _take_from_pool(state: PlantState, scope: str, pool: str, count: int = 1) -> list[LotSim]:
    """Take up to `count` lots with sealed containers off the front of a pool of a circuit or grade."""
    lots = state.pools[(scope, pool)]
    taken = [lot for lot in lots if lot.sealed_containers()][:count]
    for lot in taken:
        lots.remove(lot)
    return taken


def _derived(state: PlantState, parents: Draw, origin: str, circuit: str | None) -> LotSim:
    """Create a lot made from the drawn powder: its generation, properties and recycled share."""
    total = sum(kg for _c, kg in parents) or 1.0
    generation = 1 + max(container.lot.generation for container, _kg in parents)
    props = mix([(replace(container.lot.properties), kg) for container, kg in parents])
    lot = state.new_lot(parents[0][0].lot.grade, origin, generation, props)
    lot.recycled_share = sum(container.lot.recycled_share * kg for container, kg in parents) / total
    lot.circuit = circuit
    sources = [container.lot.source_blend for container, _kg in parents if container.lot.source_blend is not None]
    lot.source_blend = sources[0] if sources else None
    return lot


def _to_inspection(state: PlantState, lot: LotSim, next_pool: str) -> None:
    lot.next_pool = next_pool
    state.awaiting_inspection.append(lot)


# --- Virgin powder -------------------------------------------------------------


def dry(state: PlantState, grade: str) -> None:
    """Dry a released virgin lot under vacuum into a new lot, ready for sieving."""
    lots = _take_from_pool(state, grade, "to_dry")
    if not lots:
        return
    inputs = draw_all(lots)
    dried = _derived(state, inputs, lots[0].origin, lots[0].circuit)
    dried.properties.moisture_pct = state.rng.uniform(0.008, 0.02)
    dried.properties.oxygen_wt_pct += 0.001
    total = sum(kg for _c, kg in inputs)
    parameters = {
        "temperature_c": 110.0 if grade.startswith("TI") else 90.0,
        "duration_min": float(state.rng.choice((240, 300, 360, 480))),
    }
    out_kg = round(total * state.rng.uniform(0.994, 0.998), 2)
    transform(state, "ST-04", "drying", parameters, inputs, [(dried, out_kg)], new_lots=[(dried, "drying")])
    state.pool(dried, "to_sieve")


def sieve(state: PlantState, scope: str) -> None:
    """Sieve a lot into its passing fraction and its oversize, two new lots.

    Virgin powder passes into the grade's virgin feed, and its oversize is
    kept for milling. Recycled powder is inspected before it becomes its
    circuit's recycled feed, and its oversize is scrapped.
    """
    lots = _take_from_pool(state, scope, "to_sieve")
    if not lots:
        return
    lot = lots[0]
    inputs = draw_all(lots)
    total = sum(kg for _c, kg in inputs)
    station_id = state.rng.choice(("ST-06", "ST-07"))
    passing = _derived(state, inputs, lot.origin, lot.circuit)
    passing.properties.d50_um -= 0.4
    oversize = _derived(state, inputs, lot.origin, lot.circuit)
    oversize.properties.d50_um *= 1.6
    oversize_kg = round(total * state.rng.uniform(0.02, 0.04), 2)
    passing_kg = round(total * state.rng.uniform(0.95, 0.975) - oversize_kg, 2)
    parameters = {
        "screen_mesh_um": 63.0 if lot.grade.d50_um > 36 else 53.0,
        "duration_min": round(total / 4, 1),
    }
    transform(
        state,
        station_id,
        "sieving",
        parameters,
        inputs,
        [(passing, passing_kg), (oversize, oversize_kg)],
        new_lots=[(passing, "sieving"), (oversize, "oversize")],
    )
    if lot.origin == "virgin":
        state.pool(passing, "virgin_feed")
        state.pool(oversize, "oversize")
    else:
        _to_inspection(state, passing, "recycled_feed")
        state.retire(oversize)


def mill(state: PlantState, grade: str) -> None:
    """Mill the oversize of several virgin sievings into recycled powder for the circuit with least feed."""
    lots = _take_from_pool(state, grade, "oversize", count=6)
    if not lots:
        return
    inputs = draw_all(lots)
    total = sum(kg for _c, kg in inputs)
    circuit = min(PRINTERS[grade], key=lambda printer: _feed_kg(state, printer))
    milled = _derived(state, inputs, "recycled", circuit)
    milled.properties.d50_um *= 0.6
    parameters = {"duration_min": float(state.rng.choice((30, 45, 60, 90))), "notes": "re-milling of sieve oversize"}
    out_kg = round(total * state.rng.uniform(0.96, 0.98), 2)
    transform(state, "ST-05", "milling", parameters, inputs, [(milled, out_kg)], new_lots=[(milled, "milling")])
    state.pool(milled, "to_sieve")


def _feed_kg(state: PlantState, circuit: str) -> float:
    return sum(lot.mass_kg for lot in state.pools[(circuit, "recycled_feed")])


# --- A printer's powder circuit ------------------------------------------------


def blend(state: PlantState, circuit: str) -> None:
    """Blend virgin feed with the circuit's recycled feed, and often with the rest of its last blend.

    Now and then the rest comes from another printer of the grade instead,
    when a printer is emptied for maintenance.
    """
    rng = state.rng
    grade = _grade_of(circuit)
    target_kg = rng.uniform(90, 200)
    recycled_target_kg = target_kg * rng.uniform(0.3, 0.7)
    inputs: Draw = []

    rest_circuit = rng.choice(PRINTERS[grade]) if rng.random() < CROSS_CIRCUIT_REST_RATE else circuit
    rest_lot = _blend_rest(state, rest_circuit) if rng.random() < 0.6 else None
    if rest_lot is not None:
        inputs += draw_all([rest_lot])
    for feed in list(state.pools[(circuit, "recycled_feed")]):
        drawn_kg = sum(kg for _c, kg in inputs)
        if drawn_kg >= recycled_target_kg:
            break
        inputs += draw(feed, recycled_target_kg - drawn_kg)
    for feed in list(state.pools[(grade, "virgin_feed")]):
        drawn_kg = sum(kg for _c, kg in inputs)
        if drawn_kg >= target_kg:
            break
        inputs += draw(feed, target_kg - drawn_kg)
    if not any(container.lot.origin == "virgin" for container, _kg in inputs):
        return

    blended = _derived(state, inputs, "blend", circuit)
    total = sum(kg for _c, kg in inputs)
    parameters = {
        "duration_min": float(rng.choice((30, 45, 60))),
        "recycle_fraction": round(min(blended.recycled_share, 1.0), 3),
        "notes": f"powder for printer {circuit}",
    }
    out_kg = round(total * rng.uniform(0.995, 0.999), 2)
    transform(state, "ST-08", "blending", parameters, inputs, [(blended, out_kg)], new_lots=[(blended, "blending")])
    _drop_empty(state, [container.lot for container, _kg in inputs])
    if rest_lot is not None:
        state.unpool(rest_lot, "blend")
    _to_inspection(state, blended, "blend")


def _grade_of(circuit: str) -> str:
    return next(grade for grade, printers in PRINTERS.items() if circuit in printers)


def _blend_rest(state: PlantState, circuit: str) -> LotSim | None:
    """Return the oldest blend of a circuit with less than a third of its powder left, if any."""
    for lot in state.pools[(circuit, "blend")]:
        if lot.initial_kg and lot.mass_kg < BLEND_REST_SHARE * lot.initial_kg and lot.sealed_containers():
            return lot
    return None


def _drop_empty(state: PlantState, lots: list[LotSim]) -> None:
    for lot in lots:
        if lot.mass_kg <= 0:
            for pool in ("recycled_feed", "virgin_feed", "blend"):
                state.unpool(lot, pool)


def build(state: PlantState, circuit: str) -> None:
    """Load powder from the circuit's oldest released blend into its printer; recover the rest after the build."""
    container = next(
        (c for lot in state.pools[(circuit, "blend")] for c in lot.sealed_containers() if c.mass_kg >= 3), None
    )
    if container is None:
        return
    blend_lot = container.lot
    operator = state.operator()
    kg = round(min(container.mass_kg, state.rng.uniform(8, 30)), 2)
    state.open_container("ST-13", container, operator)
    state.take(container, kg)
    # Most containers are resealed once the hopper is filled; some stand open beside the printer for hours.
    long_open = state.rng.random() < 0.1
    open_s = state.rng.uniform(3_600, 5 * 3_600) if long_open else state.rng.uniform(300, 2_400)
    state.reseal_later("ST-13", container, operator, open_s)
    if blend_lot.mass_kg <= 0:
        state.unpool(blend_lot, "blend")

    state.build_jobs += 1
    job = state.build_jobs
    state.later(state.rng.uniform(3, 20) * 3_600, lambda: recover(state, blend_lot, container, kg, job))


def recover(state: PlantState, blend_lot: LotSim, container: ContainerSim, kg: float, job: int) -> None:
    """Record the recycling step: powder loaded for a build in, the unfused rest out into the circuit's drum.

    The drum is a recovered lot that collects the powder of several builds;
    once it contains `RECOVERY_DRUM_KG` it goes on to separation and the next
    build starts a new one.
    """
    circuit = blend_lot.circuit or ""
    out_kg = round(kg * state.rng.uniform(0.78, 0.9), 2)
    recovered = replace(blend_lot.properties)
    recovered.oxygen_wt_pct += blend_lot.grade.oxygen_pickup_wt_pct * state.rng.uniform(0.7, 1.3)
    recovered.d50_um += 0.3
    recovered.moisture_pct += 0.005
    parameters = {"notes": f"unfused powder recovered from build job BJ-{job:06d} on printer {circuit}"}
    inputs = [(container, kg)]

    drum = state.recovery_drums.pop(circuit, None)
    drum_container = drum.containers[0] if drum is not None and drum.containers else None
    if drum is None or drum_container is None or drum_container.is_open:
        if drum is not None:
            state.pool(drum, "recovered")
        drum = state.new_lot(blend_lot.grade, "recycled", blend_lot.generation + 1, recovered)
        drum.circuit = circuit
        drum.source_blend = blend_lot
        transform(
            state,
            "ST-10",
            "recycling",
            parameters,
            inputs,
            [(drum, out_kg)],
            new_lots=[(drum, "recycling")],
            inputs_already_taken=True,
        )
    else:
        transform(
            state,
            "ST-10",
            "recycling",
            parameters,
            inputs,
            [(drum, out_kg)],
            new_lots=[],
            into=drum_container,
            inputs_already_taken=True,
        )
        drum.properties = mix([(drum.properties, drum.mass_kg - out_kg), (recovered, out_kg)])
        drum.generation = max(drum.generation, blend_lot.generation + 1)
    if drum.mass_kg >= RECOVERY_DRUM_KG:
        state.pool(drum, "recovered")
    else:
        state.recovery_drums[circuit] = drum


def separate(state: PlantState, circuit: str) -> None:
    """Run the circuit's recovered drums through the cyclone: the main fraction goes on, the fines are scrapped."""
    lots = _take_from_pool(state, circuit, "recovered", count=3)
    if not lots:
        return
    inputs = draw_all(lots)
    total = sum(kg for _c, kg in inputs)
    main = _derived(state, inputs, "recycled", circuit)
    main.properties.d50_um += 0.6
    fines = _derived(state, inputs, "recycled", circuit)
    fines.properties.d50_um *= 0.45
    fines_kg = round(total * state.rng.uniform(0.02, 0.05), 2)
    main_kg = round(total * state.rng.uniform(0.97, 0.99) - fines_kg, 2)
    transform(
        state,
        "ST-09",
        "separation",
        {"duration_min": round(total / 6, 1)},
        inputs,
        [(main, main_kg), (fines, fines_kg)],
        new_lots=[(main, "separation"), (fines, "fines")],
    )
    state.retire(fines)
    state.pool(main, "to_sieve")


def top_up(state: PlantState, circuit: str) -> None:
    """Pour released recycled feed back into the blend it was recovered from: a reuse loop in the genealogy."""
    for feed in state.pools[(circuit, "recycled_feed")]:
        target = feed.source_blend
        if target is None or target not in state.pools[(circuit, "blend")] or not feed.sealed_containers():
            continue
        into = next(iter(target.sealed_containers()), None)
        if into is not None:
            break
    else:
        return
    inputs = draw(feed, min(feed.mass_kg, state.rng.uniform(5, 20)))
    kg = round(sum(kg for _c, kg in inputs), 2)
    parameters = {"recycle_fraction": 1.0, "notes": f"top-up of blend {target.lot_id} with powder recovered from it"}
    transform(state, "ST-08", "blending", parameters, inputs, [(target, kg)], new_lots=[], into=into)
    target.properties = mix([(target.properties, target.mass_kg - kg), (feed.properties, kg)])
    _drop_empty(state, [feed])
    state.highlights.top_ups += 1
