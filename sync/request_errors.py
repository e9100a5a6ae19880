"""Turn a failed HTTP request to the sync server into one sentence: what failed, at which URL, what to check.

    try:
        session.get(url, timeout=...)
    except requests.RequestException as error:
        failure = explain_request_failure(error, server=ServerAddress(url, ca_bundle, 5.0, 30.0))
        # failure.code == "refused", failure.message == "the sync server http://... refused the connection: ..."

requests words a refused connection as "HTTPConnectionPool(host=..., port=...): Max
retries exceeded ... (Caused by NewConnectionError(...))". The cause that matters
is found by walking urllib3's wrapped exceptions, and the station shows a short code
for it while the sentence goes to the operator and the log.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

# Codes of RequestFailure, as the station's status line shows them.
REFUSED = "refused"
NAME_NOT_RESOLVED = "name_not_resolved"
TIMED_OUT = "timed_out"
TLS_FAILED = "tls_failed"
CONNECTION_FAILED = "connection_failed"
RESPONSE_CUT_OFF = "response_cut_off"
INVALID_URL = "invalid_url"


@dataclass(frozen=True)
class ServerAddress:
    """The sync server as the station is configured to reach it; the timeouts are in seconds."""

    url: str
    ca_bundle: str
    connect_timeout_s: float
    read_timeout_s: float


@dataclass(frozen=True)
class RequestFailure:
    """Why a request failed: a short code (one of the constants above) and a sentence for people."""

    code: str
    message: str


def explain_request_failure(error: requests.RequestException, *, server: ServerAddress) -> RequestFailure:
    """Return the code and the sentence for a request that raised ``error`` before any response arrived."""
    url = server.url
    if isinstance(error, requests.exceptions.SSLError):
        bundle = server.ca_bundle or "empty, so the system's CAs are used"
        return RequestFailure(
            TLS_FAILED,
            f"TLS with the sync server {url} failed ({_tls_detail(error)}): "
            f"check the server's certificate and sync_ca_bundle ({bundle})",
        )
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return RequestFailure(
            TIMED_OUT,
            f"the connection to the sync server {url} timed out after {server.connect_timeout_s:g} s: "
            "check the network and that lineage-server runs there",
        )
    if isinstance(error, requests.exceptions.ReadTimeout):
        return RequestFailure(
            TIMED_OUT,
            f"the request to the sync server {url} timed out after {server.read_timeout_s:g} s without a response: "
            "it may be overloaded, so the request is retried later; check its log if this repeats",
        )
    if isinstance(error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return RequestFailure(
            RESPONSE_CUT_OFF, f"the response of the sync server {url} was cut off or garbled; it is retried later"
        )
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return RequestFailure(INVALID_URL, f"the sync server URL {url!r} is invalid ({error}); fix sync_server_url")
    return _explain_connection_failure(error, url)


def _explain_connection_failure(error: requests.RequestException, url: str) -> RequestFailure:
    causes = list(_causes(error))
    if any(isinstance(cause, urllib3.exceptions.NameResolutionError | socket.gaierror) for cause in causes):
        host = urlsplit(url).hostname or url
        return RequestFailure(
            NAME_NOT_RESOLVED,
            f"the host name {host} of the sync server {url} could not be resolved: "
            "check sync_server_url and the station's network (DNS)",
        )
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return RequestFailure(
            REFUSED,
            f"the sync server {url} refused the connection: "
            "check that lineage-server runs there and that sync_server_url is right",
        )
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH)
    if any(isinstance(cause, OSError) and cause.errno in unreachable for cause in causes):
        return RequestFailure(
            CONNECTION_FAILED,
            f"the network path to the sync server {url} is down (no route to it): check the station's network",
        )
    return RequestFailure(
        CONNECTION_FAILED,
        f"the connection to the sync server {url} failed ({_innermost(causes)}): "
        "check the network and that lineage-server runs there",
    )


def _causes(error: BaseException) -> Iterator[BaseException]:
    """Yield the error and every exception it wraps: urllib3 keeps them in args, ``reason`` or the cause chain."""
    pending: list[object] = [error]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        # urllib3's ProtocolError carries the socket error as its second argument.
        pending += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]


def _innermost(causes: list[BaseException]) -> str:
    """Return the innermost cause as a short text, e.g. "Connection reset by peer"."""
    for cause in causes:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    innermost = causes[-1]
    return str(innermost)[:200] or type(innermost).__name__


def _tls_detail(error: requests.exceptions.SSLError) -> str:
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError) and cause.verify_message:
            return f"certificate verify failed: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError) and cause.reason:
            # OpenSSL's reason code, e.g. WRONG_VERSION_NUMBER when the server speaks plain HTTP.
            return str(cause.reason).replace("_", " ").lower()
    return "handshake failed"
