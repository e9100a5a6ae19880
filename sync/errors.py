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


def describe_file_error(error: OSError, kind: str = "file", path: object = None) -> str:
    """Word an error of opening or reading a file for a person: the path, what went wrong, what to do."""
    name = path
    if name is None:
        name = error.filename if error.filename is not None else "?"
    if isinstance(error, IsADirectoryError):
        return f"{kind} {name} is a folder, not a file; give the path of the file itself"
    if isinstance(error, FileNotFoundError):
        return f"{kind} {name} not found; check the path"
    if isinstance(error, NotADirectoryError):
        return f"{kind} {name} cannot exist: a part of its path is a file, not a folder; check the path"
    if isinstance(error, PermissionError):
        return f"{kind} {name} cannot be used: permission denied; check the file's owner and permissions"
    return f"{kind} {name} cannot be used: {error.strerror or error}"
