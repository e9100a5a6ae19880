"""Printing at the station: relabel a container, print to ZPL and PDF, reprint, and record even when printing fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.labels.errors import LabelError
from kiosk.labels.options import LabelOptions
from kiosk.labels.printers import FilePrinter, Printer, ZplTcpPrinter
from kiosk.labels.printing import LabelPrinting
from kiosk.labels.queue import JobState
from kiosk.labels.sizes import LabelSize
from kiosk.scan.payloads import ProjectLabel, parse_payload
from sync.errors import ActionRejected
from sync.lineage import resolve
from sync.models import Event
from sync.store import Store
from tests.helpers import OPERATOR, FakeZplPrinter
from tests.kiosk.labels.support import decode_texts, draw_zpl_label, qr_payload, rasterise_pdf, read_zpl
from tests.kiosk.labels.test_printers import closed_port
from tests.kiosk.labels.test_queue import StatusRecorder, fast_queue

OPTIONS = LabelOptions(LabelSize(50, 25), 203)


def make_printing(
    store: Store, printer: Printer, folder: Path, recorder: StatusRecorder | None = None
) -> LabelPrinting:
    queue = fast_queue(folder, printer, recorder)
    return LabelPrinting(store, queue, options=OPTIONS, station_id="ST-01")


def container_of(store: Store, payload: str) -> str | None:
    """Resolve a scanned payload the way a station does: parse it, then look the identifier up."""
    parsed = parse_payload(payload)
    assert isinstance(parsed, ProjectLabel)
    with store.reading():
        return resolve(parsed.identifier).container_id


def relabel_events(store: Store) -> int:
    with store.reading():
        return Event.select().where(Event.kind == "container_relabelled").count()


def test_relabel_prints_to_zpl_printer(labelled_store: Store, fake_zpl_printer: FakeZplPrinter, tmp_path: Path) -> None:
    printing = make_printing(labelled_store, ZplTcpPrinter("127.0.0.1", fake_zpl_printer.port), tmp_path / "queue")
    printing.start()
    try:
        result = printing.relabel_container("C-0001", reason="label torn", operator_id=OPERATOR)
        job = fake_zpl_printer.wait_for_jobs(1)[0]
    finally:
        printing.close()

    assert result.print_error is None
    assert result.old_label == "C-0001"
    assert result.new_label.startswith("C-")
    label = read_zpl(job)[0]
    payload = qr_payload(label.qr_fields[0])
    assert payload == f"PL1:C:{result.new_label}"
    assert decode_texts(draw_zpl_label(label)) == [payload]
    # The new sticker and the old one both lead to the same container.
    assert container_of(labelled_store, payload) == "C-0001"
    assert container_of(labelled_store, "PL1:C:C-0001") == "C-0001"


def test_relabel_prints_to_pdf(labelled_store: Store, tmp_path: Path) -> None:
    printing = make_printing(
        labelled_store, FilePrinter(tmp_path / "labels", format="pdf", create_folder=True), tmp_path / "queue"
    )
    printing.start()
    try:
        result = printing.relabel_container("C-0002", reason="repacked", operator_id=OPERATOR, new_label="C-0002-R1")
        assert printing.queue.wait_until_empty(5)
    finally:
        printing.close()

    pdf = tmp_path / "labels" / "C-0002-R1.pdf"
    pages = rasterise_pdf(pdf.read_bytes(), OPTIONS.dpi, tmp_path)
    assert decode_texts(pages[0]) == ["PL1:C:C-0002-R1"]
    assert container_of(labelled_store, "PL1:C:C-0002-R1") == "C-0002"
    assert container_of(labelled_store, "PL1:C:C-0002") == "C-0002"
    assert result.event.body["old_label"] == "C-0002"


@pytest.mark.allow_warning_logs
def test_relabel_recorded_while_printer_off(labelled_store: Store, tmp_path: Path) -> None:
    port = closed_port()
    recorder = StatusRecorder()
    printing = make_printing(
        labelled_store, ZplTcpPrinter("127.0.0.1", port, timeout_s=2), tmp_path / "queue", recorder
    )
    printing.start()
    try:
        result = printing.relabel_container("C-0001", reason="label torn", operator_id=OPERATOR)
        waiting = recorder.wait_for_state(JobState.WAITING_RETRY)
        assert relabel_events(labelled_store) == 1
        assert result.print_status is not None
        assert "refused the connection" in waiting[0].message

        with FakeZplPrinter(port) as printer:
            job = printer.wait_for_jobs(1)[0]
    finally:
        printing.close()
    assert qr_payload(read_zpl(job)[0].qr_fields[0]) == f"PL1:C:{result.new_label}"


@pytest.mark.allow_warning_logs
def test_relabel_recorded_when_queue_unusable(labelled_store: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "queue"
    blocker.write_text("a file where the queue folder should be")
    printing = make_printing(labelled_store, FilePrinter(tmp_path / "labels"), blocker)

    result = printing.relabel_container("C-0001", reason="label torn", operator_id=OPERATOR)

    assert relabel_events(labelled_store) == 1
    assert result.print_status is None
    assert result.print_error is not None
    assert "could not be queued" in result.print_error
    assert container_of(labelled_store, f"PL1:C:{result.new_label}") == "C-0001"


def test_relabel_lot_rejected_unrecorded(labelled_store: Store, tmp_path: Path) -> None:
    printing = make_printing(labelled_store, FilePrinter(tmp_path / "labels"), tmp_path / "queue")

    with pytest.raises(LabelError, match="names a lot, not a container"):
        printing.relabel_container("L-0001", reason="wrong", operator_id=OPERATOR)
    assert relabel_events(labelled_store) == 0


def test_relabel_to_taken_label_rejected(labelled_store: Store, tmp_path: Path) -> None:
    printing = make_printing(labelled_store, FilePrinter(tmp_path / "labels"), tmp_path / "queue")

    with pytest.raises(ActionRejected):
        printing.relabel_container("C-0001", reason="mix-up", operator_id=OPERATOR, new_label="C-0002")
    assert relabel_events(labelled_store) == 0
    assert printing.queue.jobs() == []


def test_reprint_old_label_gives_current(labelled_store: Store, tmp_path: Path) -> None:
    printing = make_printing(
        labelled_store, FilePrinter(tmp_path / "labels", format="png", create_folder=True), tmp_path / "queue"
    )
    printing.relabel_container("C-0001", reason="label torn", operator_id=OPERATOR, new_label="C-0001-B")

    status = printing.print_label("C-0001", copies=2)

    assert status.title == "C-0001-B"
    assert [job.title for job in printing.queue.jobs()] == ["C-0001-B"] * 3


def test_preview_decodes_to_payload(labelled_store: Store, tmp_path: Path) -> None:
    printing = make_printing(labelled_store, FilePrinter(tmp_path / "labels"), tmp_path / "queue")

    image = printing.preview("S-0001")

    assert image.size == (400, 200)
    assert decode_texts(image) == ["PL1:S:S-0001"]


def test_from_config_uses_data_dir(labelled_store: Store, tmp_path: Path) -> None:
    config_file = tmp_path / "station.toml"
    config_file.write_text(f'db_path = "{labelled_store.path}"\n[label]\nsize = "62x29"\ndpi = 300\n')

    printing = LabelPrinting.from_config(load_config(config_file), labelled_store)

    assert printing.options.size == LabelSize(62, 29)
    assert printing.options.dpi == 300
    assert printing.queue.folder == labelled_store.path.parent / "print-queue"
    assert isinstance(printing.queue.printer, FilePrinter)
    assert printing.queue.printer.folder == labelled_store.path.parent / "labels"


def test_long_resolver_base_rejected_at_load(labelled_store: Store, tmp_path: Path) -> None:
    # A label the station's own scanner rejects (over 512 characters) must never be printed.
    base = "https://lineage.plant.example/" + "r" * 570
    config_file = tmp_path / "station.toml"
    config_file.write_text(f'db_path = "{labelled_store.path}"\n[label]\nresolver_base = "{base}"\n')

    with pytest.raises(LabelError, match=r"label resolver base .* has 600 characters; use at most 313"):
        LabelPrinting.from_config(load_config(config_file), labelled_store)
