"""State of the demo plant simulation (lots, containers, station chains, pending jobs) and the recording of its events.

Every event goes through `PlantState.record`, which seals it with
`sync.records.seal_event` on the station's hash chain at the simulated time
and hands it to the sink. Events leave in time order, so each station's
sequence numbers follow its clock.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sync.demo.plant import (
    HISTORY_START_UTC_US,
    STATIONS_BY_ID,
    US_PER_S,
    GradeProfile,
    SeededIds,
    ShiftClock,
    Station,
    local_time_text,
)
from sync.demo.quality import Properties
from sync.demo.reference import DemoReference
from sync.records import GENESIS_HASH, Event, seal_event

US_PER_DAY = 86_400 * US_PER_S
# Moisture a lot takes up per hour open, per percentage point of relative humidity above 25 %.
MOISTURE_PICKUP_PCT_PER_RH_HOUR = 0.0004


class HistoryComplete(Exception):
    """The requested number of events has been made."""


@dataclass(eq=False)
class ContainerSim:
    """A container as the simulation tracks it: current label, lot, mass in kg and whether it is open."""

    container_id: str
    label: str
    lot: LotSim
    mass_kg: float
    is_open: bool = False


@dataclass(eq=False)
class LotSim:
    """A lot as the simulation tracks it."""

    lot_id: str
    grade: GradeProfile
    # virgin or recycled: where its powder comes from, which decides where it goes next.
    origin: str
    generation: int
    properties: Properties
    recycled_share: float
    containers: list[ContainerSim] = field(default_factory=list)
    # The printer whose powder circuit the lot belongs to; None for virgin powder.
    circuit: str | None = None
    # The blend this lot's powder was recovered from, for topping that blend up with it.
    source_blend: LotSim | None = None
    # Where the lot goes once released (a pool name), and how often it was held for a retest.
    next_pool: str = ""
    hold_count: int = 0
    initial_kg: float = 0.0

    @property
    def mass_kg(self) -> float:
        return sum(container.mass_kg for container in self.containers)

    def sealed_containers(self) -> list[ContainerSim]:
        """Return the containers holding powder that are closed now, so they may be opened."""
        return [container for container in self.containers if not container.is_open and container.mass_kg > 0]


@dataclass
class Highlights:
    """Ids worth naming after a run, and counts of what was made."""

    kinds: Counter[str] = field(default_factory=Counter)
    # The first 50 relabels (container id, old label, new label) and rejections (lot id, findings).
    relabels: list[tuple[str, str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    # Blends topped up with powder recovered from themselves.
    top_ups: int = 0
    lots: int = 0
    containers: int = 0
    samples: int = 0


class ContainerRegistry:
    """The containers holding powder, for drawing one at random in constant time."""

    def __init__(self) -> None:
        self._items: list[ContainerSim] = []
        self._index: dict[str, int] = {}

    def add(self, container: ContainerSim) -> None:
        self._index[container.container_id] = len(self._items)
        self._items.append(container)

    def remove(self, container: ContainerSim) -> None:
        index = self._index.pop(container.container_id, None)
        if index is None:
            return
        last = self._items.pop()
        if last is not container:
            self._items[index] = last
            self._index[last.container_id] = index

    def pick(self, rng: random.Random) -> ContainerSim | None:
        return self._items[rng.randrange(len(self._items))] if self._items else None


class PlantState:
    """The simulated plant: seeded randomness, clock, lots in their pools, station chains and pending jobs."""

    def __init__(self, *, seed: int, events: int, reference: DemoReference, sink: Callable[[Event], None]):
        self.rng = random.Random(seed)
        self.clock = ShiftClock(self.rng)
        self.ids = SeededIds(self.rng)
        self.reference = reference
        self.sink = sink
        self.target = events
        self.recorded = 0
        self.highlights = Highlights()
        # Lots waiting for their next step, by (printer circuit or grade, pool name).
        self.pools: dict[tuple[str, str], list[LotSim]] = defaultdict(list)
        # Per circuit, the recovered lot whose drum collects powder from the next builds.
        self.recovery_drums: dict[str, LotSim] = {}
        self.awaiting_inspection: list[LotSim] = []
        self.containers = ContainerRegistry()
        self.receipts = 0
        self.results_reports = 0
        self.build_jobs = 0
        self.supplier_serials: Counter[str] = Counter()
        self._chains: dict[str, tuple[int, str]] = {}
        self._jobs: list[tuple[int, int, Callable[[], None]]] = []
        self._job_counter = 0

    # --- Recording -----------------------------------------------------------

    def record(self, station_id: str, kind: str, body: dict[str, Any], operator_id: str) -> Event:
        """Seal an event now on a station's chain, pass it to the sink and step the clock.

        Raises HistoryComplete instead once the requested number of events is made.
        """
        if self.recorded >= self.target:
            raise HistoryComplete
        station = STATIONS_BY_ID[station_id]
        seq, prev_hash = self._chains.get(station_id, (0, GENESIS_HASH))
        now = self.clock.now_us
        event = seal_event(
            kind=kind,
            body=body,
            station_id=station_id,
            operator_id=operator_id,
            seq=seq + 1,
            prev_hash=prev_hash,
            occurred_at=local_time_text(now, station),
            event_id=self.ids.event_id(now),
        )
        self._chains[station_id] = (event.seq, event.hash)
        self.sink(event)
        self.recorded += 1
        self.highlights.kinds[kind] += 1
        self.clock.advance(self.rng.uniform(20, 90))
        return event

    def day(self) -> int:
        """Return the whole days since the history began."""
        return (self.clock.now_us - HISTORY_START_UTC_US) // US_PER_DAY

    def operator(self) -> str:
        return self.rng.choice(self.reference.operators)

    def signer(self) -> str:
        return self.rng.choice(self.reference.signers)

    # --- Pending jobs ----------------------------------------------------------

    def later(self, delay_s: float, job: Callable[[], None]) -> None:
        """Run a job at the first activity `delay_s` seconds or more from now (the next shift at night)."""
        self._job_counter += 1
        heapq.heappush(self._jobs, (self.clock.now_us + int(delay_s * US_PER_S), self._job_counter, job))

    def run_due_jobs(self) -> None:
        while self._jobs and self._jobs[0][0] <= self.clock.now_us:
            _due, _order, job = heapq.heappop(self._jobs)
            job()

    # --- Lots and containers -------------------------------------------------

    def new_lot(self, grade: GradeProfile, origin: str, generation: int, props: Properties) -> LotSim:
        share = 1.0 if origin == "recycled" else 0.0
        lot = LotSim(self.ids.short_id("L", self.clock.now_us), grade, origin, generation, props, share)
        self.highlights.lots += 1
        return lot

    def add_container(self, lot: LotSim, container_id: str, mass_kg: float) -> ContainerSim:
        container = ContainerSim(container_id, container_id, lot, mass_kg)
        lot.containers.append(container)
        self.containers.add(container)
        self.highlights.containers += 1
        return container

    def take(self, container: ContainerSim, mass_kg: float) -> None:
        """Take powder out of a container; an emptied container leaves its lot and the registry."""
        container.mass_kg = round(container.mass_kg - mass_kg, 2)
        if container.mass_kg > 0.005:
            return
        container.mass_kg = 0.0
        self.containers.remove(container)
        if container in container.lot.containers:
            container.lot.containers.remove(container)

    def retire(self, lot: LotSim) -> None:
        """Take a scrapped or rejected lot's containers out of the plant, so store checks and relabels skip them."""
        for container in lot.containers:
            self.containers.remove(container)
        lot.containers.clear()

    def pool(self, lot: LotSim, pool: str) -> None:
        """Queue a lot for its next step: in its printer's circuit, or in its grade for virgin powder."""
        self.pools[(lot.circuit or lot.grade.grade_id, pool)].append(lot)

    def unpool(self, lot: LotSim, pool: str) -> None:
        lots = self.pools[(lot.circuit or lot.grade.grade_id, pool)]
        if lot in lots:
            lots.remove(lot)

    # --- Exposure ------------------------------------------------------------

    def exposure_body(self, station: Station, container: ContainerSim) -> dict[str, Any]:
        """Return the conditions a station reads when a container is opened or resealed."""
        place = station.location
        season = self.clock.season()
        control_active = place.humidity_control_active
        rh = place.rh_mean_pct + place.rh_season_pct * season + self.rng.gauss(0, place.rh_spread_pct)
        if control_active and self.rng.random() < 0.03:
            # The dehumidifier is down: the room drifts toward the hall's humidity.
            control_active = False
            rh += 15 + 10 * season
        temperature = place.temperature_mean_c + place.temperature_season_c * season + self.rng.gauss(0, 0.8)
        return {
            "container_id": container.container_id,
            "storage_location": place.name,
            "humidity_control_active": control_active,
            "ambient_temperature_c": round(min(max(temperature, -10.0), 45.0), 1),
            "relative_humidity_pct": round(min(max(rh, 3.0), 95.0), 1),
        }

    def open_container(self, station_id: str, container: ContainerSim, operator_id: str) -> None:
        """Record the opening of a sealed container."""
        body = self.exposure_body(STATIONS_BY_ID[station_id], container)
        self.record(station_id, "container_opened", body, operator_id)
        container.is_open = True

    def reseal_container(self, station_id: str, container: ContainerSim, operator_id: str, open_s: float) -> None:
        """Record the resealing of an open container; humid air while it stood open adds to its lot's moisture."""
        body = self.exposure_body(STATIONS_BY_ID[station_id], container)
        self.record(station_id, "container_resealed", body, operator_id)
        container.is_open = False
        excess_rh = max(float(body["relative_humidity_pct"]) - 25.0, 0.0)
        container.lot.properties.moisture_pct += open_s / 3600 * excess_rh * MOISTURE_PICKUP_PCT_PER_RH_HOUR

    def reseal_later(self, station_id: str, container: ContainerSim, operator_id: str, open_s: float) -> None:
        """Leave an open container open and reseal it `open_s` seconds from now (or at the next shift)."""
        opened_us = self.clock.now_us

        def reseal() -> None:
            self.reseal_container(station_id, container, operator_id, (self.clock.now_us - opened_us) / US_PER_S)

        self.later(open_s, reseal)

    def open_all(self, station_id: str, containers: list[ContainerSim], operator_id: str) -> None:
        for container in containers:
            self.open_container(station_id, container, operator_id)

    def reseal_all(self, station_id: str, containers: list[ContainerSim], operator_id: str) -> None:
        for container in containers:
            self.reseal_container(station_id, container, operator_id, self.rng.uniform(300, 1500))
