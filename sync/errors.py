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
