"""Docs stay true: every setting and every `lineage` command is documented."""

from __future__ import annotations

from kiosk.cli import build_parser
from kiosk.config import settings_markdown
from tests.helpers import ROOT


def test_configuration_doc_lists_every_setting() -> None:
    # Regenerate with: python -m kiosk.config, and paste the table into docs/configuration.md.
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings_markdown() in doc


def test_every_lineage_command_documented() -> None:
    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.dest == "command")
    docs = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))
    )
    for name in subparsers.choices:  # type: ignore[attr-defined]
        assert f"lineage {name}" in docs, f"`lineage {name}` is not documented in README.md or docs/"
