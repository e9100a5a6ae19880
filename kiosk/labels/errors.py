"""Errors of label rendering that a person can act on: the message names the value and what to do."""

from __future__ import annotations


class LabelError(Exception):
    """A label cannot be made as asked."""


class InvalidLabelSize(LabelError):
    """A label size is malformed, out of range, or not one of the station's label stocks."""


class LabelTooSmall(LabelError):
    """The QR code would print with modules smaller than the printer prints reliably."""


class InvalidLabelOptions(LabelError):
    """A label setting (dpi, error correction, quiet zone, format, paper) has a value outside its range."""


class PayloadTooLong(LabelError):
    """A payload does not fit in the largest QR code at the chosen error correction."""
