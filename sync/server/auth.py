"""Station tokens: enrolment, revocation and the look-up behind every API request.

A token is 32 random bytes (base64url) with a ``plt_`` prefix. The server keeps
only its SHA-256: a token has far more entropy than a password, so a plain
hash is as strong as a slow one, and checking it costs one indexed look-up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sync.ids import IDENTIFIER_RE
from sync.server.tables import StationAccount

TOKEN_PREFIX = "plt_"


class EnrolmentError(ValueError):
    """A station cannot be enrolled or revoked as requested. The message states why and what to do."""


@dataclass(frozen=True)
class StationIdentity:
    """The station an authenticated request comes from, and when the server last heard from it (None: never)."""

    station_id: str
    last_seen_utc_us: int | None = None


def new_token() -> str:
    """Return a new random station token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def enrol_station(station_id: str, *, now_us: int, replace: bool = False) -> str:
    """Create (or with ``replace``, renew) a station's account; return its new token.

    Run inside a write transaction. Raises EnrolmentError for an invalid id or
    an active station enrolled before without ``replace``.
    """
    if not IDENTIFIER_RE.match(station_id):
        raise EnrolmentError(
            f"station id {station_id!r} is invalid: use a letter or digit, then up to 63 letters, digits or . _ / -"
        )
    token = new_token()
    existing = StationAccount.get_or_none(StationAccount.station_id == station_id)
    if existing is None:
        StationAccount.insert(station_id=station_id, token_hash=hash_token(token), enrolled_utc_us=now_us).execute()
        return token
    if existing.revoked_utc_us is None and not replace:
        raise EnrolmentError(
            f"station {station_id} is already enrolled; pass --replace to issue a new token (the old one stops working)"
        )
    StationAccount.update(token_hash=hash_token(token), enrolled_utc_us=now_us, revoked_utc_us=None).where(
        StationAccount.station_id == station_id
    ).execute()
    return token


def revoke_station(station_id: str, *, now_us: int) -> None:
    """Revoke a station's token; its events stay. Run inside a write transaction."""
    updated = (
        StationAccount.update(revoked_utc_us=now_us)
        .where((StationAccount.station_id == station_id) & StationAccount.revoked_utc_us.is_null())
        .execute()
    )
    if updated:
        return
    if StationAccount.get_or_none(StationAccount.station_id == station_id) is None:
        raise EnrolmentError(f"station {station_id} is not enrolled")
    raise EnrolmentError(f"station {station_id} is already revoked")


def authenticate(token: str) -> StationIdentity | None:
    """Return the station a token belongs to, or None for an unknown or revoked token."""
    account = StationAccount.get_or_none(StationAccount.token_hash == hash_token(token))
    if account is None or account.revoked_utc_us is not None:
        return None
    return StationIdentity(account.station_id, account.last_seen_utc_us)


def find_revoked_station(token: str) -> str | None:
    """Return the id of the station whose revoked token this is, or None when no station had it."""
    account = StationAccount.get_or_none(
        (StationAccount.token_hash == hash_token(token)) & StationAccount.revoked_utc_us.is_null(False)
    )
    return None if account is None else str(account.station_id)


def record_contact(station_id: str, *, now_us: int) -> None:
    """Set a station's last-seen time, unless a later one is stored. Run inside a write transaction."""
    StationAccount.update(last_seen_utc_us=now_us).where(
        (StationAccount.station_id == station_id)
        & (StationAccount.last_seen_utc_us.is_null() | (StationAccount.last_seen_utc_us < now_us))
    ).execute()
