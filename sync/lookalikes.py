"""Characters that look like the ones ids are made of but are others: dashes, spaces, full-width forms.

    plain, notes = replace_lookalikes("VAL24\u201300001")
    # plain == "VAL24-00001"
    # notes == ["'\u2013' (EN DASH) where '-' may be meant"]

Text pasted from a document or an e-mail often contains them. On screen they
look the same as the ASCII characters, so messages about such text name them.
"""

from __future__ import annotations

import unicodedata

# Dashes that word processors put in place of the hyphen-minus, and the minus sign.
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
# Kinds of character a message names; a text full of full-width letters needs only a few named.
MAX_NOTES = 3


def replace_lookalikes(text: str) -> tuple[str, list[str]]:
    """Return the text with look-alike characters replaced by the ASCII ones, and a note for each kind replaced."""
    plain: list[str] = []
    notes: dict[str, None] = {}
    for character in text:
        replacement = _ascii_lookalike(character)
        if replacement is None:
            plain.append(character)
            continue
        plain.append(replacement)
        name = unicodedata.name(character, f"U+{ord(character):04X}")
        notes[f"{character!r} ({name}) where {replacement!r} may be meant"] = None
    return "".join(plain), list(notes)


def _ascii_lookalike(character: str) -> str | None:
    if character.isascii():
        return None
    if character in DASHES:
        return "-"
    if unicodedata.category(character) == "Zs":
        return " "
    folded = unicodedata.normalize("NFKC", character)
    return folded if len(folded) == 1 and folded.isascii() and folded.isprintable() else None


def lookalike_note(text: str) -> str:
    """Return "; it contains ..." naming the look-alike characters in the text, or "" when it has none."""
    _, notes = replace_lookalikes(text)
    return describe_notes(notes)


def describe_notes(notes: list[str]) -> str:
    """Return "; it contains ..." for notes of `replace_lookalikes`, at most MAX_NOTES of them, or ""."""
    if not notes:
        return ""
    listed = notes[:MAX_NOTES] + (["others"] if len(notes) > MAX_NOTES else [])
    return f"; it contains {', '.join(listed)}"
