"""Errors of the store and the records that a person can act on, as opposed to bugs."""

from __future__ import annotations


class StoreError(Exception):
    """The station store could not carry out a request; the message tells the operator what to do."""


class StorageFull(StoreError):
    """The disk holding the store is full; nothing was written."""


class StoreUnavailable(StoreError):
    """The store file cannot be opened or written (permissions, I/O error, locked by another program)."""


class StoreDamaged(StoreError):
    """The store file is damaged or is not a store, and was left untouched."""


class WrongStation(StoreError):
    """The store belongs to another station than the one configured."""


class ActionRejected(StoreError):
    """A station rule rejects the event (an unknown container, a container already open, ...)."""


class NotFound(StoreError):
    """No lot, container, label or sample has the id given."""


class Ambiguous(StoreError):
    """An id matches more than one lot; the message lists them."""


def describe_file_error(error: OSError, label: str | None = None, *, example: object = None) -> str:
    """Word an error of opening or reading a file for a person: the value, what went wrong, what to do.

    ``label`` names the value as the person gave it, such as ``configuration
    file station.toml`` or ``--db server.db``; by default, the error's file.
    ``example`` is a file to suggest when the value is a folder.
    """
    if label is None:
        label = f"file {error.filename if error.filename is not None else '?'}"
    if isinstance(error, IsADirectoryError):
        suggestion = f", such as {example}" if example is not None else ""
        return f"{label} is a folder, not a file; give the path of the file{suggestion}"
    if isinstance(error, FileNotFoundError):
        return f"{label} not found; check the path"
    if isinstance(error, NotADirectoryError):
        return f"{label} cannot exist because a part of its path is a file, not a folder; check the path"
    if isinstance(error, PermissionError):
        return f"{label} cannot be read: permission denied; check the file's owner and permissions"
    return f"{label} cannot be used: {error.strerror or error}; check the file and the disk it is on"
