"""Wording of the server's responses: counts in the right number, and a 401 that gives a command that works."""

from __future__ import annotations

import json

import requests

from tests.sync.server.support import ServerProcess, assert_error_shape, auth, batch_of, make_chain, new_station_id

BATCH_PATH = "/api/v1/events/batch"


def post_batch(server: ServerProcess, token: str, body: dict[str, object]) -> requests.Response:
    headers = {"Content-Type": "application/json", **auth(token)}
    return requests.post(server.url + BATCH_PATH, data=json.dumps(body).encode(), headers=headers, timeout=30)


def test_verify_counts_one_event(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    response = post_batch(server, token, batch_of(station, [make_chain(station, 1)[0].to_dict()]))
    assert response.status_code == 200, response.text
    result = server.verify()
    assert f"station {station}: 1 event checked\n" in result.stdout


def test_one_invalid_event_of_three(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    events = [event.to_dict() for event in make_chain(station, 3)]
    events[1]["seq"] = "2"
    error = assert_error_shape(post_batch(server, token, batch_of(station, events)), 422)
    assert error["message"].startswith("1 of 3 events is invalid; nothing of this batch was stored")


def test_only_event_invalid(server: ServerProcess) -> None:
    station = new_station_id()
    token = server.enrol(station)
    event = make_chain(station, 1)[0].to_dict()
    event["seq"] = "1"
    error = assert_error_shape(post_batch(server, token, batch_of(station, [event])), 422)
    assert error["message"].startswith("the batch's only event is invalid; nothing of this batch was stored")


def test_unknown_token_gives_replace_command(server: ServerProcess) -> None:
    response = requests.get(f"{server.url}/api/v1/events?after=0", headers=auth("plt_not-a-real-token"), timeout=5)
    error = assert_error_shape(response, 401)
    assert "unknown or revoked" in error["message"]
    assert "`lineage-server enrol-station STATION --replace`" in error["message"]


def test_revoked_token_command_works(server: ServerProcess) -> None:
    station = new_station_id()
    old_token = server.enrol(station)
    assert server.cli("revoke-station", station).returncode == 0
    response = requests.get(f"{server.url}/api/v1/events?after=0", headers=auth(old_token), timeout=5)
    error = assert_error_shape(response, 401)
    command = f"lineage-server enrol-station {station} --replace"
    assert f"`{command}`" in error["message"]
    # The command the message gives works as written (with the server's --db).
    renewed = server.cli(*command.split()[1:])
    assert renewed.returncode == 0, renewed.stderr
    new_token = renewed.stdout.strip()
    response = requests.get(f"{server.url}/api/v1/events?after=0", headers=auth(new_token), timeout=5)
    assert response.status_code == 200, response.text


def test_enrolled_station_needs_replace(server: ServerProcess) -> None:
    # A station whose token was lost is still enrolled: only --replace issues a new token.
    station = new_station_id()
    server.enrol(station)
    again = server.cli("enrol-station", station)
    assert again.returncode == 1
    assert "--replace" in again.stderr
    assert server.cli("enrol-station", station, "--replace").returncode == 0
