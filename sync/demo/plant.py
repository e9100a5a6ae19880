"""The demo plant: its stations, suppliers, powder grades, storage climate, shift clock and seeded ids.

Everything here is fixed or drawn from the seeded generator that
`sync.demo.activities` passes in, so one seed always gives the same plant
history. No wall clock and no `os.urandom` are read.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sync.ids import new_short_id
from sync.records import format_time, from_utc_us, to_utc_us

# Monday 3 June 2024, 06:00 plant time (UTC+02:00): the first shift of the history, in a humid season.
HISTORY_START_UTC_US = to_utc_us(datetime(2024, 6, 3, 4, 0, tzinfo=UTC))
SHIFT_START_HOUR = 6
SHIFT_END_HOUR = 22
US_PER_S = 1_000_000


@dataclass(frozen=True)
class Location:
    """A place where containers are opened, with its climate.

    Relative humidity follows the season where nothing controls it: it peaks
    in late July at ``rh_mean_pct + rh_season_pct``.
    """

    name: str
    humidity_control_active: bool
    temperature_mean_c: float
    temperature_season_c: float
    rh_mean_pct: float
    rh_season_pct: float
    rh_spread_pct: float


@dataclass(frozen=True)
class Station:
    """A kiosk of the plant: its location, its equipment, and whether its clock is kept in UTC."""

    station_id: str
    name: str
    location: Location
    equipment_id: str | None = None
    clock_in_utc: bool = False


@dataclass(frozen=True)
class Supplier:
    """A powder supplier and the form of its lot numbers and container barcodes."""

    name: str
    code: str
    grade_ids: tuple[str, ...]

    def lot_number(self, year: int, serial: int) -> str:
        """Return the supplier's lot number for its `serial`-th lot of a year."""
        return f"{self.code}{year % 100:02d}-{serial:05d}"

    def container_barcode(self, lot_number: str, index: int) -> str:
        """Return the barcode the supplier prints on container `index` (from 1) of a lot."""
        return f"{lot_number}-D{index:02d}"


@dataclass(frozen=True)
class GradeProfile:
    """Properties of a grade's virgin powder as received, and the changes handling makes to them.

    The properties are the ones the demo acceptance rule checks: the median
    particle size d50 in µm, moisture in % and oxygen in wt%.
    """

    grade_id: str
    share_of_receipts: float
    needs_drying: bool
    container_kg: float
    packaging_type: str
    d50_um: float
    moisture_pct: float
    oxygen_wt_pct: float
    # Oxygen taken up by one pass through a build, in wt%.
    oxygen_pickup_wt_pct: float


GOODS_IN = Location("Goods-in dock", False, 15.0, 7.0, 48.0, 14.0, 8.0)
DRY_STORE = Location("Store A (dry store)", True, 21.0, 1.0, 22.0, 2.0, 3.0)
HALL_STORE = Location("Store B (hall)", False, 19.0, 4.0, 41.0, 14.0, 7.0)
HALL_A = Location("Hall A", False, 22.0, 4.0, 38.0, 12.0, 7.0)
SIEVING_ROOM = Location("Sieving room, Hall B", True, 21.0, 1.5, 30.0, 3.0, 4.0)
BLENDING_ROOM = Location("Blending room, Hall B", True, 21.0, 1.5, 30.0, 3.0, 4.0)
HALL_C = Location("Hall C", False, 20.0, 5.0, 43.0, 15.0, 8.0)
QC_LAB = Location("QC lab", True, 22.0, 1.0, 35.0, 2.0, 3.0)
QUALITY_OFFICE = Location("Quality office", True, 22.0, 1.0, 35.0, 2.0, 3.0)
PRINTER_HALL = Location("Printer hall", True, 22.0, 1.5, 28.0, 4.0, 6.0)

STATIONS = (
    Station("ST-01", "Goods-in", GOODS_IN),
    Station("ST-02", "Dry store A", DRY_STORE),
    Station("ST-03", "Hall store B", HALL_STORE),
    Station("ST-04", "Drying", HALL_A, "DRY-01"),
    Station("ST-05", "Milling", HALL_A, "MILL-01"),
    Station("ST-06", "Sieving 1", SIEVING_ROOM, "SIEVE-01"),
    Station("ST-07", "Sieving 2", SIEVING_ROOM, "SIEVE-02"),
    Station("ST-08", "Blending", BLENDING_ROOM, "BLEND-01"),
    Station("ST-09", "Separation", HALL_C, "SEP-01"),
    Station("ST-10", "Powder recovery", HALL_C, "LINE-REC"),
    # The lab's instrument PC keeps UTC, so its events carry +00:00 while the
    # plant's carry +01:00 or +02:00: timelines must sort by the instant.
    Station("ST-11", "QC lab", QC_LAB, clock_in_utc=True),
    Station("ST-12", "Quality office", QUALITY_OFFICE),
    Station("ST-13", "Printer hall", PRINTER_HALL),
)
STATIONS_BY_ID = {station.station_id: station for station in STATIONS}

SUPPLIERS = (
    Supplier("Tessaro Metal Powders", "TMP", ("TI64-G23", "IN718")),
    Supplier("Valdera Alloys", "VAL", ("IN718", "AL-SI10MG")),
    Supplier("Hexfield Atomising", "HXA", ("TI64-G23", "AL-SI10MG")),
    Supplier("Kestrel Powder Works", "KPW", ("TI64-G23",)),
)

# The demo acceptance rule is written for additive-manufacturing powders, so
# the NMC811 grade of the reference file gets no lots.
GRADE_PROFILES = (
    GradeProfile("TI64-G23", 0.45, True, 20.0, "argon-filled steel bottle", 34.0, 0.03, 0.085, 0.004),
    GradeProfile("IN718", 0.35, False, 25.0, "steel drum", 33.0, 0.02, 0.018, 0.002),
    GradeProfile("AL-SI10MG", 0.20, True, 15.0, "sealed aluminium can", 39.0, 0.05, 0.06, 0.006),
)


# Each printer runs its own powder circuit: its blends, the powder recovered
# from its builds and the recycled feed made from that powder. Circuits share
# only virgin feed and, now and then, the rest of a blend, so a lot's
# genealogy stays a few hundred lots deep instead of spanning the plant.
PRINTERS: dict[str, tuple[str, ...]] = {
    "TI64-G23": ("P-01", "P-02", "P-03", "P-04"),
    "IN718": ("P-05", "P-06", "P-07"),
    "AL-SI10MG": ("P-08", "P-09"),
}


def plant_offset(utc_us: int) -> timedelta:
    """Return the plant's UTC offset at an instant: +01:00, or +02:00 in EU summer time.

    Summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC
    on the last Sunday of October (EU directive 2000/84/EC). The rule is
    written out so the history does not depend on the machine's zone data.
    """
    moment = from_utc_us(utc_us)
    starts = _last_sunday(moment.year, 3)
    ends = _last_sunday(moment.year, 10)
    return timedelta(hours=2) if starts <= moment < ends else timedelta(hours=1)


def _last_sunday(year: int, month: int) -> datetime:
    first_of_next = datetime(year + month // 12, month % 12 + 1, 1, 1, 0, tzinfo=UTC)
    last_day = first_of_next - timedelta(days=1)
    return last_day - timedelta(days=(last_day.weekday() + 1) % 7)


def local_time_text(utc_us: int, station: Station) -> str:
    """Format an instant as the station's clock records it (ISO 8601 with offset)."""
    offset = timedelta(0) if station.clock_in_utc else plant_offset(utc_us)
    return format_time(from_utc_us(utc_us).astimezone(timezone(offset)))


class ShiftClock:
    """The simulated time: two shifts, 06:00 to 22:00 plant time, Monday to Saturday."""

    def __init__(self, rng: random.Random, start_utc_us: int = HISTORY_START_UTC_US):
        self.rng = rng
        self.now_us = start_utc_us

    def advance(self, seconds: float) -> int:
        """Move time forward by whole milliseconds (at least one) and return the new time."""
        self.now_us += max(round(seconds * 1000), 1) * 1000
        return self.now_us

    def next_activity(self, mean_gap_s: float) -> int:
        """Move to the start of the next activity, skipping nights and Sundays; return the time."""
        self.advance(self.rng.expovariate(1 / mean_gap_s))
        local = from_utc_us(self.now_us) + plant_offset(self.now_us)
        if local.weekday() != 6 and SHIFT_START_HOUR <= local.hour < SHIFT_END_HOUR:
            return self.now_us
        day = local.date() + timedelta(days=0 if local.hour < SHIFT_START_HOUR else 1)
        if day.weekday() == 6:
            day += timedelta(days=1)
        shift_start = datetime(day.year, day.month, day.day, SHIFT_START_HOUR, tzinfo=UTC)
        shift_start_us = to_utc_us(shift_start - plant_offset(to_utc_us(shift_start)))
        self.now_us = shift_start_us
        return self.advance(self.rng.uniform(0, 900))

    def season(self) -> float:
        """Return -1 in late January to +1 in late July."""
        day_of_year = from_utc_us(self.now_us).timetuple().tm_yday
        return math.sin(2 * math.pi * (day_of_year - 110) / 365.25)

    def local_date(self) -> datetime:
        """Return the current plant-local time."""
        return from_utc_us(self.now_us) + plant_offset(self.now_us)


class SeededIds:
    """Event ids and short ids drawn from the seeded generator and the simulated time."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._short_ms = -1
        self._short_this_ms: set[str] = set()

    def event_id(self, utc_us: int) -> str:
        """Return a UUIDv7 (RFC 9562) for an event at `utc_us`, its random bits from the seed."""
        value = ((utc_us // 1000) & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= self.rng.getrandbits(12) << 64
        value |= 0b10 << 62
        value |= self.rng.getrandbits(62)
        return str(uuid.UUID(int=value))

    def short_id(self, prefix: str, utc_us: int) -> str:
        """Return a short id such as ``L-0KZ3M7Q1X2ABCD`` for a lot (L), container (C), sample (S) or result (R).

        Two ids made in one millisecond share their time digits, so each is
        drawn again until it differs from the others of that millisecond.
        """
        ms = utc_us // 1000
        if ms != self._short_ms:
            self._short_ms = ms
            self._short_this_ms = set()
        while True:
            ident = new_short_id(prefix, now_ms=ms, random_bits=self.rng.getrandbits(25))
            if ident not in self._short_this_ms:
                self._short_this_ms.add(ident)
                return ident
