"""Identifiers made at a station: UUIDv7 event ids and short ids for lots, containers, samples."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid

# Crockford's base32: no I, L, O or U, so an id read aloud or typed is not misread.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Identifiers of lots, containers, labels, samples, stations, operators and
# reference data. Ids made here are upper case; ids imported from other
# systems may be lower case too.
IDENTIFIER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}"
IDENTIFIER_RE = re.compile(rf"^{IDENTIFIER_PATTERN}$")

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_event_id() -> str:
    """Return a new UUIDv7 (RFC 9562) as a string; ids made by one process sort by creation.

    Within one millisecond, the 12-bit rand_a field counts up (RFC 9562 method 1),
    so ids made in a burst still sort in the order they were made.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                # Counter overflow: borrow the next millisecond, as RFC 9562 allows.
                ms += 1
                _counter = 0
        else:
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        _last_ms = ms
        counter = _counter
    return format_uuid7(ms, counter, int.from_bytes(os.urandom(8), "big"))


def format_uuid7(unix_ms: int, rand_a: int, rand_b: int) -> str:
    """Lay out a UUIDv7 from its 48-bit millisecond time, 12-bit rand_a and 62-bit rand_b."""
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand_a & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand_b & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def event_id_time_ms(event_id: str) -> int:
    """Return the Unix time in milliseconds stored in a UUIDv7."""
    return uuid.UUID(event_id).int >> 80


def encode_crockford(value: int, length: int) -> str:
    """Encode a non-negative integer as exactly `length` Crockford base32 digits."""
    digits = []
    for _ in range(length):
        digits.append(CROCKFORD_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(digits))


def new_short_id(prefix: str, *, now_ms: int | None = None, random_bits: int | None = None) -> str:
    """Return a new id such as ``C-0KZ3M7Q1X2ABCD`` for a lot (L), container (C) or sample (S).

    Fourteen base32 digits carry 45 bits of milliseconds since 2020-01-01 and
    25 random bits. Ids made by offline stations therefore sort roughly by
    creation time, and two stations collide only if they make an id in the
    same millisecond and draw the same 25 bits.
    """
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    epoch_2020_ms = 1_577_836_800_000
    since_2020 = max(ms - epoch_2020_ms, 0) & ((1 << 45) - 1)
    if random_bits is None:
        random_bits = int.from_bytes(os.urandom(4), "big")
    value = (since_2020 << 25) | (random_bits & ((1 << 25) - 1))
    return f"{prefix}-{encode_crockford(value, 14)}"
