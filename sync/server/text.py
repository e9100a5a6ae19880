"""Wording shared by the server's messages, logs and command output."""

from __future__ import annotations


def format_count(count: int, singular: str, plural: str | None = None) -> str:
    """Return a count with its noun in the matching form: ``1 event``, ``0 events``, ``2 events``.

    ``plural`` defaults to ``singular`` with an ``s``; pass it for nouns such as ``entry``.
    """
    if count == 1:
        return f"{count} {singular}"
    return f"{count} {plural or singular + 's'}"
