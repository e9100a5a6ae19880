"""Batch ingest against a real server: duplicates, conflicts, forks, gaps, clock drift, pull, receipts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests

from sync.records import format_time, now_local, seal_event
from tests.helpers import DEMO_REFERENCE, OPERATOR, lot_body
from tests.sync.server.support import ServerProcess, auth, batch_of, make_chain, new_station_id


def send(server: ServerProcess, token: str, station: str, events: list[Any], **kwargs: Any) -> dict[str, Any]:
    body = batch_of(station, [e.to_dict() if hasattr(e, "to_dict") else e for e in events], **kwargs)
    response = requests.post(f"{server.url}/api/v1/events/batch", json=body, headers=auth(token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def status_of(server: ServerProcess, token: str, station: str) -> dict[str, Any]:
    response = requests.get(f"{server.url}/api/v1/stations/{station}", headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_batch_then_resend_duplicates(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    events = make_chain(station, 5)
    first = send(server, token, station, events)
    assert [r["status"] for r in first["results"]] == ["accepted"] * 5
    assert first["accepted"] == 5
    second = send(server, token, station, events)
    assert [r["status"] for r in second["results"]] == ["duplicate"] * 5
    assert second["duplicates"] == 5
    held = [row[0] for row in server.backend.query(f"SELECT event_id FROM event WHERE station_id = '{station}'")]
    assert sorted(held) == sorted(e.event_id for e in events)


def test_results_follow_order_sent(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    events = list(reversed(make_chain(station, 4)))
    answer = send(server, token, station, events)
    assert [r["event_id"] for r in answer["results"]] == [e.event_id for e in events]
    assert all(r["status"] == "accepted" and r["flags"] == [] for r in answer["results"])
    assert answer["receipt"]["seq"] == 4
    assert status_of(server, token, station)["open_gaps"] == []


def test_conflict_rejected_original_kept(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    original = make_chain(station, 1, prefix="ORIG")[0]
    send(server, token, station, [original])
    impostor = seal_event(
        kind="lot_registered",
        body=lot_body("OTHER-L1", {"OTHER-C1": 5.0}),
        station_id=station,
        operator_id=OPERATOR,
        seq=1,
        prev_hash=original.prev_hash,
        event_id=original.event_id,
    )
    answer = send(server, token, station, [impostor])
    result = answer["results"][0]
    assert result["status"] == "rejected"
    assert result["code"] == "conflict"
    assert original.event_id in result["reason"]
    held = server.backend.query(f"SELECT hash, body FROM event WHERE event_id = '{original.event_id}'")
    assert held[0][0] == original.hash
    assert "ORIG-L1" in held[0][1]
    assert status_of(server, token, station)["flag_counts"] == {"conflict": 1}


def test_fork_same_seq_rejected(server: ServerProcess) -> None:
    # A station restored from an older backup records new events with sequence numbers already used.
    station = new_station_id()
    token = server.enrol(station)
    send(server, token, station, make_chain(station, 3, prefix="FIRST"))
    restored = make_chain(station, 2, prefix="AGAIN")
    answer = send(server, token, station, restored)
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected"]
    assert {r["code"] for r in answer["results"]} == {"fork"}
    assert "already held" in answer["results"][0]["reason"]
    status = status_of(server, token, station)
    assert status["events_held"] == 3
    assert status["flag_counts"] == {"fork": 2}
    assert answer["receipt"]["seq"] == 3


def test_prev_hash_mismatch_is_fork(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    send(server, token, station, make_chain(station, 2))
    stranger = make_chain(station, 1, start_seq=3, prev_hash="ab" * 32)[0]
    result = send(server, token, station, [stranger])["results"][0]
    assert result["status"] == "rejected"
    assert result["code"] == "fork"
    assert "prev_hash" in result["reason"]


def test_gap_flagged_then_closed(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    chain = make_chain(station, 6)
    answer = send(server, token, station, [chain[0], chain[4], chain[5]])
    assert answer["results"][1]["flags"] == ["gap"]
    assert answer["results"][2]["flags"] == []
    assert status_of(server, token, station)["open_gaps"][0]["first_seq"] == 2
    assert status_of(server, token, station)["open_gaps"][0]["last_seq"] == 4

    send(server, token, station, [chain[2]])
    gaps = status_of(server, token, station)["open_gaps"]
    assert [(g["first_seq"], g["last_seq"]) for g in gaps] == [(2, 2), (4, 4)]

    send(server, token, station, [chain[1], chain[3]])
    assert status_of(server, token, station)["open_gaps"] == []
    verify = server.verify()
    assert station in verify.stdout


def test_clock_drift_flagged(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    ahead = now_local() + timedelta(hours=3)
    events = make_chain(station, 2, occurred_at=ahead)
    answer = send(server, token, station, events, sent_at=format_time(ahead))
    assert answer["clock_drift_flagged"] is True
    assert 10_700 < answer["clock_offset_s"] < 10_900
    assert all("clock_drift" in r["flags"] for r in answer["results"])
    assert all(r["status"] == "accepted" for r in answer["results"])
    status = status_of(server, token, station)
    assert status["flag_counts"] == {"clock_drift": 1}
    assert 10_700 < status["clock_offset_s"] < 10_900


def test_clock_within_limit_not_flagged(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    answer = send(
        server, token, station, make_chain(station, 1), sent_at=format_time(now_local() + timedelta(seconds=60))
    )
    assert answer["clock_drift_flagged"] is False
    assert answer["results"][0]["flags"] == []


def test_pull_returns_others_events(server: ServerProcess) -> None:
    writer, reader = new_station_id(), new_station_id()
    writer_token, reader_token = server.enrol(writer), server.enrol(reader)
    written = make_chain(writer, 3)
    send(server, writer_token, writer, written)
    send(server, reader_token, reader, make_chain(reader, 2))

    events, cursor = [], 0
    while True:
        page = requests.get(
            f"{server.url}/api/v1/events", params={"after": cursor, "limit": 2}, headers=auth(reader_token), timeout=10
        ).json()
        events += page["events"]
        assert page["cursor"] >= cursor
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    mine = [e for e in events if e["station_id"] == reader]
    assert mine == []
    assert [e["event_id"] for e in events if e["station_id"] == writer] == [e.event_id for e in written]
    again = requests.get(
        f"{server.url}/api/v1/events", params={"after": cursor}, headers=auth(reader_token), timeout=10
    )
    assert again.json()["events"] == []


def test_receipt_signature_checks_out(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    events = make_chain(station, 2)
    receipt = send(server, token, station, events)["receipt"]
    assert receipt["seq"] == 2
    assert receipt["hash"] == events[-1].hash
    assert receipt["events_held"] == 2
    url = f"{server.url}/api/v1/receipts/verify"
    assert requests.post(url, json=receipt, headers=auth(token), timeout=5).json() == {"valid": True}
    forged = {**receipt, "seq": 1}
    assert requests.post(url, json=forged, headers=auth(token), timeout=5).json() == {"valid": False}


def test_timeline_and_export_by_container(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    events = make_chain(station, 2, prefix="TLX")
    send(server, token, station, events)
    timeline = requests.get(f"{server.url}/api/v1/timeline", params={"id": "TLX-C2"}, headers=auth(token), timeout=10)
    assert timeline.status_code == 200
    assert timeline.json()["identity"]["lot_id"] == "TLX-L2"
    export = requests.get(
        f"{server.url}/api/v1/export", params={"id": "TLX-L1", "format": "csv"}, headers=auth(token), timeout=10
    )
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("occurred_at,station_id,seq,kind")
    assert events[0].event_id in lines[1]


def test_reference_pulled_from_server(server: ServerProcess) -> None:
    imported = server.cli("import-reference", str(DEMO_REFERENCE))
    assert imported.returncode == 0, imported.stderr
    token = server.enrol(new_station_id())
    sections = requests.get(f"{server.url}/api/v1/reference", headers=auth(token), timeout=10).json()["sections"]
    assert {"operators", "equipment", "sampling_methods", "acceptance_rules", "grades"} == set(sections)
    assert any(row["grade_id"] == "TI64-G23" for row in sections["grades"])
    assert all("id" not in row for row in sections["operators"])


def test_station_list_shows_each_station(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    send(server, token, station, make_chain(station, 1))
    stations = requests.get(f"{server.url}/api/v1/stations", headers=auth(token), timeout=10).json()["stations"]
    mine = [s for s in stations if s["station_id"] == station]
    assert len(mine) == 1
    assert mine[0]["events_held"] == 1
    assert mine[0]["last_seen_at"] is not None


def test_clock_drift_flagged_once(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    behind = now_local() - timedelta(hours=2)
    chain = make_chain(station, 3, occurred_at=behind)
    for event in chain:
        answer = send(server, token, station, [event], sent_at=format_time(behind))
        assert answer["clock_drift_flagged"] is True
    # Three batches while the clock is off: one flag.
    assert status_of(server, token, station)["flag_counts"] == {"clock_drift": 1}


def test_pull_counts_as_contact(server: ServerProcess) -> None:
    # A station that only pulls has still been seen: `lineage-server stations` must not say "never".
    station = new_station_id()
    token = server.enrol(station)
    for _ in range(2):
        pulled = requests.get(f"{server.url}/api/v1/events", params={"after": 0}, headers=auth(token), timeout=10)
        assert pulled.status_code == 200, pulled.text
    assert status_of(server, token, station)["last_seen_at"] is not None
    listed = server.cli("stations")
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith(f"{station}:"))
    assert "last seen never" not in line
    assert "0 events," in line
