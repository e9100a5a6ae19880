"""Every text the screens show goes through Qt's translation functions."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.helpers import ROOT

UI = ROOT / "kiosk" / "ui"
# Calls whose text arguments an operator reads.
SHOWN_TEXT_CALLS = {
    "setText",
    "setWindowTitle",
    "setPlaceholderText",
    "setToolTip",
    "show_message",
    "message",
    "scan_feedback",
    "TouchButton",
    "FieldButton",
    "QLabel",
    "text_label",
    "title_label",
    "EntryRequest",
    "ChoiceRequest",
    "add_action",
    "set_value",
}
# Two letters in a row make a word; single keys (A, ⌫) and numbers need no translation.
WORD = re.compile(r"[^\W\d_]{2}")
# Files that draw images or sounds rather than screens.
NOT_SCREENS = {"demo_media.py", "sound_files.py"}


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def _bare_words(node: ast.expr) -> str | None:
    """Return the untranslated words of a text argument, or None when it has none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and WORD.search(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and WORD.search(part.value):
                return part.value
    return None


def untranslated_texts(path: Path) -> list[str]:
    """Return each literal with words passed straight to a call that shows it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or _call_name(node) not in SHOWN_TEXT_CALLS:
            continue
        # The text is the first argument of each of these calls (a level or handler may follow).
        arguments = list(node.args[:1]) + [
            keyword.value for keyword in node.keywords if keyword.arg in ("text", "caption", "hint", "title")
        ]
        for argument in arguments:
            words = _bare_words(argument)
            if words is not None:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {_call_name(node)}({words!r})")
    return found


def test_shown_texts_are_translated() -> None:
    files = [path for path in sorted(UI.rglob("*.py")) if path.name not in NOT_SCREENS]
    assert len(files) > 20
    found = [line for path in files for line in untranslated_texts(path)]
    assert found == [], "\n".join(found)


def test_checker_finds_bare_text(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('label.setText("Open")\nbutton = TouchButton(f"Lot {lot}")\nok = QLabel(self.tr("Fine"))\n')
    assert [line.split(": ", 1)[1] for line in untranslated_texts_in(sample)] == [
        "setText('Open')",
        "TouchButton('Lot ')",
    ]


def untranslated_texts_in(path: Path) -> list[str]:
    """Run the checker on a file outside the project (paths relative to its folder)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _call_name(node) in SHOWN_TEXT_CALLS:
            for argument in node.args[:1]:
                words = _bare_words(argument)
                if words is not None:
                    found.append(f"{path.name}:{node.lineno}: {_call_name(node)}({words!r})")
    return found


def _messages(ts_file: Path) -> set[tuple[str, str]]:
    root = ElementTree.parse(ts_file).getroot()
    return {
        (context.findtext("name", ""), message.findtext("source", ""))
        for context in root.iter("context")
        for message in context.iter("message")
    }


def test_translation_template_is_current(tmp_path: Path) -> None:
    # Regenerate with the command in docs/kiosk.md ("Translations") when this fails.
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    if not lupdate.exists():
        pytest.skip(f"{lupdate} is not installed (it comes with PySide6)")
    sources = [str(path) for path in sorted(UI.rglob("*.py")) if path.name not in NOT_SCREENS]
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [str(lupdate), *sources, "-locations", "none", "-no-obsolete", "-ts", str(fresh)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    template = ROOT / "assets" / "i18n" / "kiosk_template.ts"
    assert _messages(fresh) == _messages(template)
