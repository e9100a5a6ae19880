"""Check every station's hash chain and sequence: the first gap, edit, fork or deletion is named."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sync.models import ChainHead, Event
from sync.records import GENESIS_HASH, compute_hash


@dataclass(frozen=True)
class ChainProblem:
    """One broken link: where it is and what is wrong."""

    station_id: str
    seq: int
    event_id: str | None
    problem: str

    def __str__(self) -> str:
        where = f"station {self.station_id} seq {self.seq}"
        if self.event_id:
            where += f" (event {self.event_id})"
        return f"{where}: {self.problem}"


@dataclass
class VerifyReport:
    """The outcome of `verify_chains`: events checked per station and the problems found."""

    events_checked: int = 0
    stations: dict[str, int] = field(default_factory=dict)
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chains(*, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Walk each station's events in sequence order and report the first broken link of each chain.

    Checks that sequence numbers run 1, 2, 3 ... without a gap, that each event
    names its predecessor's hash, that each stored hash matches the event's
    fields (an edit), and that the last event is the chain head the store
    recorded (a deleted last event).
    """
    report = VerifyReport()
    station_ids = [row.station_id for row in Event.select(Event.station_id).distinct().order_by(Event.station_id)]
    heads = {row.station_id: row for row in ChainHead.select()}
    for station_id in sorted(set(station_ids) | set(heads)):
        problem, count = _verify_station(station_id, heads.get(station_id), report, progress)
        report.stations[station_id] = count
        if problem is not None:
            report.problems.append(problem)
    return report


def _verify_station(
    station_id: str, head: ChainHead | None, report: VerifyReport, progress: Callable[[int], None] | None
) -> tuple[ChainProblem | None, int]:
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    query = Event.select().where(Event.station_id == station_id).order_by(Event.seq).dicts()
    for row in query.iterator():
        count += 1
        report.events_checked += 1
        if progress is not None and report.events_checked % 10_000 == 0:
            progress(report.events_checked)
        seq, event_id = row["seq"], row["event_id"]
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq} to {seq - 1}"
            return ChainProblem(
                station_id, seq, event_id, f"sequence gap: seq {missing} missing (deleted or never received)"
            ), count
        if row["prev_hash"] != prev_hash:
            return ChainProblem(
                station_id,
                seq,
                event_id,
                "prev_hash does not match the previous event's hash (an event before it was changed or removed)",
            ), count
        fields = {**row, "subjects": json.loads(row["subjects"]), "body": json.loads(row["body"])}
        if compute_hash(fields) != row["hash"]:
            return ChainProblem(
                station_id, seq, event_id, "stored fields do not match the event's hash (the event was edited)"
            ), count
        prev_hash = row["hash"]
        expected_seq += 1
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        return ChainProblem(
            station_id,
            head.seq,
            None,
            f"the chain head records seq {head.seq}, but the last stored event is seq {expected_seq - 1} (events at the end were deleted)",
        ), count
    return None, count
