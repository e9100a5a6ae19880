"""Look-alike characters in pasted ids are named, and replaced for suggestions."""

from __future__ import annotations

import pytest

from sync.lookalikes import lookalike_note, replace_lookalikes


@pytest.mark.parametrize(
    ("text", "plain", "named"),
    [
        ("VAL24\u201300001", "VAL24-00001", "'\u2013' (EN DASH) where '-' may be meant"),
        ("C\u2011041", "C-041", "'\u2011' (NON-BREAKING HYPHEN) where '-' may be meant"),
        ("LOT\u00a07", "LOT 7", "'\\xa0' (NO-BREAK SPACE) where ' ' may be meant"),
        ("\uff36AL", "VAL", "'\uff36' (FULLWIDTH LATIN CAPITAL LETTER V) where 'V' may be meant"),
    ],
)
def test_lookalike_replaced_and_named(text: str, plain: str, named: str) -> None:
    assert replace_lookalikes(text) == (plain, [named])


@pytest.mark.parametrize("text", ["VAL24-00001", "Müller-3", "STRAßE-1", "粉末"])
def test_other_text_left_alone(text: str) -> None:
    assert replace_lookalikes(text) == (text, [])
    assert lookalike_note(text) == ""


def test_note_names_at_most_three_kinds() -> None:
    note = lookalike_note("\uff36\uff21\uff2c\uff12\uff14")
    assert note.count("FULLWIDTH") == 3
    assert note.endswith(", others")
