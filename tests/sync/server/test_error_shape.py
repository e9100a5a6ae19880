"""Every endpoint returns errors in the one JSON shape."""

from __future__ import annotations

import pytest
import requests

from tests.sync.server.support import ServerProcess, assert_error_shape, auth


def api_operations(server: ServerProcess) -> list[tuple[str, str]]:
    schema = requests.get(f"{server.url}/openapi.json", timeout=5).json()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith("/api/v1/")
    ]


def test_openapi_lists_every_endpoint(server: ServerProcess) -> None:
    operations = set(api_operations(server))
    expected = {
        ("POST", "/api/v1/events/batch"),
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/timeline"),
        ("GET", "/api/v1/export"),
        ("GET", "/api/v1/stations"),
        ("GET", "/api/v1/stations/{station_id}"),
        ("GET", "/api/v1/reference"),
        ("POST", "/api/v1/receipts/verify"),
    }
    assert operations == expected


def test_every_endpoint_without_token_401(server: ServerProcess) -> None:
    for method, path in api_operations(server):
        url = server.url + path.replace("{station_id}", "ST-01")
        response = requests.request(method, url, timeout=5)
        error = assert_error_shape(response, 401)
        assert "Authorization" in error["message"], (method, path)


def test_every_endpoint_bad_token_401(server: ServerProcess) -> None:
    for method, path in api_operations(server):
        url = server.url + path.replace("{station_id}", "ST-01")
        response = requests.request(method, url, headers=auth("plt_not-a-real-token"), timeout=5)
        error = assert_error_shape(response, 401)
        assert "unknown or revoked" in error["message"], (method, path)


def test_unknown_path_404_shape(server: ServerProcess) -> None:
    error = assert_error_shape(requests.get(f"{server.url}/api/v1/nothing-here", timeout=5), 404)
    assert "/api/v1/nothing-here" in error["message"]


def test_wrong_method_405_shape(server: ServerProcess) -> None:
    assert_error_shape(requests.delete(f"{server.url}/health", timeout=5), 405)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/events", {"after": "-1"}),
        ("/api/v1/events", {"limit": "100000"}),
        ("/api/v1/events", {"after": "soon"}),
        ("/api/v1/timeline", {}),
        ("/api/v1/export", {"id": "L-1", "format": "docx"}),
    ],
)
def test_invalid_query_422_shape(server: ServerProcess, path: str, params: dict[str, str]) -> None:
    token = server.enrol(f"ST-Q{abs(hash((path, tuple(params.items())))) % 10**6}")
    error = assert_error_shape(requests.get(server.url + path, params=params, headers=auth(token), timeout=5), 422)
    assert error["details"], error


def test_unknown_lot_404_shape(server: ServerProcess) -> None:
    token = server.enrol("ST-NOLOT")
    for path in ("/api/v1/timeline", "/api/v1/export"):
        error = assert_error_shape(
            requests.get(server.url + path, params={"id": "NO-SUCH-LOT"}, headers=auth(token), timeout=5), 404
        )
        assert "NO-SUCH-LOT" in error["message"]


def test_unknown_station_status_404(server: ServerProcess) -> None:
    token = server.enrol("ST-ASKER")
    response = requests.get(f"{server.url}/api/v1/stations/ST-NOBODY", headers=auth(token), timeout=5)
    error = assert_error_shape(response, 404)
    assert "ST-NOBODY" in error["message"]


def test_health_ready_without_token(server: ServerProcess) -> None:
    body = requests.get(f"{server.url}/health", timeout=5).json()
    assert body["status"] == "ok"
    assert body["schema"] == {"store": 1, "server": 1}
    assert body["backend"] == server.backend.kind.replace("postgres", "postgresql")
