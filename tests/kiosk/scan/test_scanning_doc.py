"""docs/scanning.md describes the Python API as it is: result types, their fields, and DecodedCode."""

from __future__ import annotations

import dataclasses
import re

import pytest

from kiosk.scan import payloads
from kiosk.scan.decoding import DecodedCode
from kiosk.scan.payloads import parse_payload
from tests.helpers import ROOT

DOC = (ROOT / "docs" / "scanning.md").read_text(encoding="utf-8")


def attribute_names(cls: type) -> set[str]:
    fields = {field.name for field in dataclasses.fields(cls)}
    return fields | {name for name in dir(cls) if not name.startswith("_")}


def test_doc_repr_matches_project_label() -> None:
    block = DOC.split('label = parse_payload("PL1:C:C-0KZ3M7Q1X2ABCD")\n', 1)[1].split("\nlabel.kind", 1)[0]
    documented = " ".join(line.lstrip("# ").strip() for line in block.splitlines())
    label = parse_payload("PL1:C:C-0KZ3M7Q1X2ABCD")
    assert documented == repr(label)
    assert "label.kind, label.accepted  # ('container', True)" in DOC
    assert (label.kind, label.accepted) == ("container", True)


@pytest.mark.parametrize("type_name", ["ProjectLabel", "Gs1Data", "SupplierLotNumber", "RejectedPayload"])
def test_doc_payload_fields_exist(type_name: str) -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{type_name}` |"))
    fields_cell = row.split("|")[3]
    documented = {re.sub(r"\(.*\)", "", name) for name in re.findall(r"`([a-z_]+(?:\([a-z]+\))?)`", fields_cell)}
    assert documented
    assert documented <= attribute_names(getattr(payloads, type_name))


def test_doc_decoded_code_fields_exist() -> None:
    paragraph = DOC.split("`DecodedCode`. Its fields are ", 1)[1].split("The property `flags`", 1)[0]
    documented = set(re.findall(r"`([a-z0-9_]+)`", paragraph))
    assert documented == {field.name for field in dataclasses.fields(DecodedCode)}


def test_doc_flags_match_property() -> None:
    paragraph = DOC.split("The property `flags` names", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"`([a-z0-9_]+)`", paragraph.split("as strings:", 1)[1].split("The JSON output", 1)[0])
    code = DecodedCode(None, b"\x00", "test", (), charset_guessed=True, is_structured_append_part=True, is_gs1=True)
    assert documented == list(code.flags)


def test_doc_type_error_matches_parser() -> None:
    assert "and raises `TypeError`" in DOC
    with pytest.raises(TypeError):
        parse_payload(None)  # type: ignore[arg-type]
