"""Start-up integrity check of a station store, and salvage of a damaged one.

A damaged file is never overwritten: it is renamed aside (with its -wal and
-shm files), a fresh store is created in its place, and every event that can
still be read and whose hash checks out is copied across with its original
sequence number and hash, so the chain stays verifiable.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.records import InvalidEvent, event_from_dict

log = logging.getLogger(__name__)

EVENT_COLUMNS = (
    "event_id",
    "station_id",
    "seq",
    "kind",
    "operator_id",
    "occurred_at",
    "subjects",
    "body",
    "prev_hash",
    "hash",
    "schema_version",
)
SALVAGED_TABLES = ("setting", "operator", "equipment", "sampling_method", "acceptance_rule", "grade")


@dataclass
class SalvageReport:
    """Outcome of a salvage: where the damaged store was kept and what was recovered."""

    damaged_path: Path
    problem: str
    events_salvaged: int = 0
    events_invalid: int = 0
    rows_unreadable: int = 0
    reference_rows_salvaged: int = 0
    events: list[Any] = field(default_factory=list, repr=False)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def message(self) -> str:
        """Return the sentence an operator or administrator is shown."""
        lost = self.events_invalid + self.rows_unreadable
        text = (
            f"The station store was damaged ({self.problem}). It was kept as {self.damaged_path} and a new store "
            f"was created; {self.events_salvaged} events were recovered"
        )
        if lost:
            text += f", {lost} rows could not be read or failed their hash check"
        return text + ". Events not yet sent will be sent again; tell your supervisor."


def check_integrity(path: Path) -> str | None:
    """Return None if the SQLite file is sound, else a short description of the damage."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return str(error)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        conn.close()
    results = [line.strip() for row in rows for line in str(row[0]).splitlines()]
    if results == ["ok"]:
        return None
    details = [line for line in results if not line.startswith("***")]
    return "; ".join(details[:3])


def move_aside(path: Path) -> Path:
    """Rename a damaged store and its -wal and -shm files; return the new path of the main file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    suffix = 1
    while target.exists():
        suffix += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{suffix}")
    for extra in ("-wal", "-shm"):
        companion = Path(f"{path}{extra}")
        if companion.exists():
            companion.rename(f"{target}{extra}")
    path.rename(target)
    return target


def salvage(damaged: Path, problem: str) -> SalvageReport:
    """Read what can be read from a damaged store; nothing is written anywhere."""
    report = SalvageReport(damaged_path=damaged, problem=problem)
    try:
        conn = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
    except sqlite3.Error as error:
        log.error("Cannot open damaged store %s for salvage: %s", damaged, error)
        return report
    try:
        for row in _readable_rows(conn, "event", report):
            data = _event_dict(row)
            try:
                report.events.append(event_from_dict(data))
            except InvalidEvent as error:
                report.events_invalid += 1
                log.warning("Salvage skipped event %s: %s", data.get("event_id"), error)
        report.events.sort(key=lambda event: (event.station_id, event.seq))
        report.events_salvaged = len(report.events)
        for table in SALVAGED_TABLES:
            rows = [dict(row) for row in _readable_rows(conn, table, report)]
            report.rows[table] = rows
            report.reference_rows_salvaged += len(rows)
    finally:
        conn.close()
    return report


def _event_dict(row: sqlite3.Row) -> dict[str, Any]:
    data: dict[str, Any] = {name: row[name] for name in EVENT_COLUMNS}
    try:
        data["subjects"] = json.loads(data["subjects"])
        data["body"] = json.loads(data["body"])
    except (TypeError, ValueError):
        pass  # event_from_dict reports the field as invalid
    return data


def _readable_rows(conn: sqlite3.Connection, table: str, report: SalvageReport) -> Iterator[sqlite3.Row]:
    """Yield the rows of a table that can be read, skipping damaged pages by bisecting rowid ranges."""
    try:
        bounds = conn.execute(f'SELECT min(rowid), max(rowid) FROM "{table}"').fetchone()
    except sqlite3.DatabaseError as error:
        log.warning("Salvage cannot read table %s: %s", table, error)
        return
    if bounds is None or bounds[0] is None:
        return
    pending = [(int(bounds[0]), int(bounds[1]))]
    while pending:
        low, high = pending.pop()
        try:
            rows = conn.execute(
                f'SELECT * FROM "{table}" WHERE rowid BETWEEN ? AND ? ORDER BY rowid', (low, high)
            ).fetchall()
        except sqlite3.DatabaseError:
            if low == high:
                report.rows_unreadable += 1
                continue
            middle = (low + high) // 2
            pending += [(middle + 1, high), (low, middle)]
            continue
        yield from rows
