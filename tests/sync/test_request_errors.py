"""Failed requests to the sync server in one sentence: refused, timed out, TLS, closed, unresolved names."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import urllib3.exceptions

from sync.request_errors import RequestFailure, ServerAddress, explain_request_failure


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A TCP socket on 127.0.0.1 that accepts connections (the kernel's backlog) and never responds."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener


def failure_of(url: str, *, session: requests.Session | None = None, read_timeout_s: float = 30.0) -> RequestFailure:
    """Send a GET to ``url`` and return how its failure is explained."""
    address = ServerAddress(url, "", 2.0, read_timeout_s)
    try:
        (session or requests.Session()).get(url, timeout=(2.0, read_timeout_s))
    except requests.RequestException as error:
        return explain_request_failure(error, server=address)
    raise AssertionError(f"GET {url} did not fail")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_refused_connection_names_server() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    failure = failure_of(url)
    assert failure.code == "refused"
    assert failure.message == (
        f"the sync server {url} refused the connection: "
        "check that lineage-server runs there and that sync_server_url is right"
    )


def test_silent_server_times_out(silent_listener: socket.socket) -> None:
    url = f"http://127.0.0.1:{silent_listener.getsockname()[1]}"
    failure = failure_of(url, read_timeout_s=0.3)
    assert failure.code == "timed_out"
    assert failure.message.startswith(f"the request to the sync server {url} timed out after 0.3 s without a response:")


def test_plain_http_over_tls_fails(silent_listener: socket.socket) -> None:
    # A station configured with https:// in front of a server that speaks plain HTTP.
    def answer_in_plain_http() -> None:
        connection, _ = silent_listener.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=answer_in_plain_http, daemon=True).start()
    url = f"https://127.0.0.1:{silent_listener.getsockname()[1]}"
    failure = failure_of(url)
    assert failure.code == "tls_failed"
    assert failure.message.startswith(f"TLS with the sync server {url} failed (wrong version number):")
    assert "sync_ca_bundle (empty, so the system's CAs are used)" in failure.message


def test_closed_connection_gives_reason(silent_listener: socket.socket) -> None:
    def close_without_response() -> None:
        connection, _ = silent_listener.accept()
        connection.recv(4096)
        connection.close()

    threading.Thread(target=close_without_response, daemon=True).start()
    url = f"http://127.0.0.1:{silent_listener.getsockname()[1]}"
    failure = failure_of(url)
    assert failure.code == "connection_failed"
    assert failure.message == (
        f"the connection to the sync server {url} failed (Remote end closed connection without response): "
        "check the network and that lineage-server runs there"
    )


class UnresolvedNameAdapter(requests.adapters.BaseAdapter):
    """A transport that fails as requests does when DNS has no answer, without sending a DNS query."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        host = urllib3.util.parse_url(request.url).host or ""
        reason = urllib3.exceptions.NameResolutionError(host, None, socket.gaierror(-2, "Name or service not known"))  # type: ignore[arg-type]
        raise requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, request.url, reason), request=request)  # type: ignore[arg-type]

    def close(self) -> None:
        pass


def test_unresolved_name_names_host() -> None:
    session = requests.Session()
    session.mount("https://", UnresolvedNameAdapter())
    url = "https://lineage.plant.example:8443"
    failure = failure_of(url, session=session)
    assert failure.code == "name_not_resolved"
    assert failure.message == (
        f"the host name lineage.plant.example of the sync server {url} could not be resolved: "
        "check sync_server_url and the station's network (DNS)"
    )
