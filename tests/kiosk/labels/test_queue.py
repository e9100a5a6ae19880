"""The print queue: jobs on disk until printed, retries with backoff, order, restarts and status callbacks."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from kiosk.labels.printers import Printer, ZplTcpPrinter
from kiosk.labels.queue import JobState, JobStatus, PrintQueue, PrintQueueError, StatusCallback
from tests.helpers import FakeZplPrinter
from tests.kiosk.labels.test_printers import closed_port


def fast_queue(folder: Path, printer: Printer, on_status: StatusCallback | None = None) -> PrintQueue:
    """A queue that retries after 0.05 s, 0.1 s, then every 0.2 s, without jitter."""
    return PrintQueue(folder, printer, on_status=on_status, first_retry_s=0.05, max_retry_s=0.2, jitter=0.0)


class StatusRecorder:
    """Collects the statuses a queue reports, from any thread."""

    def __init__(self) -> None:
        self.statuses: list[JobStatus] = []
        self._changed = threading.Condition()

    def __call__(self, status: JobStatus) -> None:
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    def wait_for_state(self, state: JobState, count: int = 1, timeout_s: float = 5.0) -> list[JobStatus]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.of_state(state)) >= count, timeout=timeout_s)
            found = self.of_state(state)
        assert len(found) >= count, f"expected {count} {state} status(es), got {[s.state for s in self.statuses]}"
        return found

    def of_state(self, state: JobState) -> list[JobStatus]:
        return [status for status in self.statuses if status.state == state]


def job_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


def test_job_on_disk_until_printed(tmp_path: Path, fake_zpl_printer: FakeZplPrinter) -> None:
    recorder = StatusRecorder()
    queue = PrintQueue(
        tmp_path / "queue", ZplTcpPrinter("127.0.0.1", fake_zpl_printer.port, timeout_s=2), on_status=recorder
    )

    status = queue.submit(b"^XA^XZ", title="C-0001")

    # Stored before any worker runs.
    assert status.state == JobState.QUEUED
    assert job_files(tmp_path / "queue") == [f"{status.job_id}.job", f"{status.job_id}.json"]
    queue.start()
    try:
        assert queue.wait_until_empty(5)
    finally:
        queue.close()
    assert fake_zpl_printer.wait_for_jobs(1) == [b"^XA^XZ"]
    assert job_files(tmp_path / "queue") == []
    assert [s.state for s in recorder.statuses] == [JobState.QUEUED, JobState.PRINTING, JobState.PRINTED]


@pytest.mark.allow_warning_logs
def test_printer_off_then_back(tmp_path: Path) -> None:
    port = closed_port()
    recorder = StatusRecorder()
    queue = fast_queue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", port, timeout_s=2), recorder)
    queue.start()
    try:
        status = queue.submit(b"^XA^FDfirst^FS^XZ", title="C-0001")
        waiting = recorder.wait_for_state(JobState.WAITING_RETRY, count=2)

        assert f"127.0.0.1:{port} refused the connection" in waiting[0].message
        assert "Label C-0001 is kept" in waiting[0].message
        assert waiting[0].retry_in_s is not None
        assert f"{status.job_id}.job" in job_files(tmp_path / "queue")

        with FakeZplPrinter(port) as printer:
            assert queue.wait_until_empty(5)
            assert printer.wait_for_jobs(1) == [b"^XA^FDfirst^FS^XZ"]
    finally:
        queue.close()
    printed = recorder.of_state(JobState.PRINTED)
    assert len(printed) == 1
    assert printed[0].attempts >= 3


@pytest.mark.allow_warning_logs
def test_jobs_print_in_order(tmp_path: Path) -> None:
    port = closed_port()
    recorder = StatusRecorder()
    queue = fast_queue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", port, timeout_s=2), recorder)
    queue.start()
    try:
        for index in range(4):
            queue.submit(f"job {index}".encode(), title=f"C-000{index}")
        recorder.wait_for_state(JobState.WAITING_RETRY)
        assert [status.title for status in queue.jobs()] == ["C-0000", "C-0001", "C-0002", "C-0003"]

        with FakeZplPrinter(port) as printer:
            assert queue.wait_until_empty(5)
            assert printer.wait_for_jobs(4) == [b"job 0", b"job 1", b"job 2", b"job 3"]
    finally:
        queue.close()


@pytest.mark.allow_warning_logs
def test_jobs_survive_restart(tmp_path: Path, fake_zpl_printer: FakeZplPrinter) -> None:
    down = fast_queue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", closed_port(), timeout_s=2))
    down.submit(b"kept across restarts", title="C-0001")
    down.close()

    recorder = StatusRecorder()
    up = PrintQueue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", fake_zpl_printer.port), on_status=recorder)
    assert [status.title for status in up.jobs()] == ["C-0001"]
    up.start()
    try:
        assert up.wait_until_empty(5)
    finally:
        up.close()
    assert fake_zpl_printer.wait_for_jobs(1) == [b"kept across restarts"]
    assert recorder.of_state(JobState.PRINTED)[0].title == "C-0001"


@pytest.mark.allow_warning_logs
def test_retry_now_skips_backoff(tmp_path: Path) -> None:
    port = closed_port()
    recorder = StatusRecorder()
    queue = PrintQueue(
        tmp_path / "queue",
        ZplTcpPrinter("127.0.0.1", port, timeout_s=2),
        on_status=recorder,
        first_retry_s=60,
        jitter=0.0,
    )
    queue.start()
    try:
        queue.submit(b"now", title="C-0001")
        recorder.wait_for_state(JobState.WAITING_RETRY)
        with FakeZplPrinter(port) as printer:
            queue.retry_now()
            assert queue.wait_until_empty(5)
            assert printer.wait_for_jobs(1) == [b"now"]
    finally:
        queue.close()


@pytest.mark.allow_warning_logs
def test_cancel_waiting_job(tmp_path: Path) -> None:
    recorder = StatusRecorder()
    queue = fast_queue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", closed_port(), timeout_s=2), recorder)
    status = queue.submit(b"never", title="C-0001")

    assert queue.cancel(status.job_id)
    assert not queue.cancel(status.job_id)
    assert job_files(tmp_path / "queue") == []
    assert recorder.statuses[-1].state == JobState.CANCELLED
    assert queue.jobs() == []


@pytest.mark.allow_warning_logs
def test_failing_callback_keeps_printing(tmp_path: Path, fake_zpl_printer: FakeZplPrinter) -> None:
    def broken_callback(status: JobStatus) -> None:
        raise RuntimeError("a bug in the screen")

    queue = PrintQueue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", fake_zpl_printer.port), on_status=broken_callback)
    queue.submit(b"still printed", title="C-0001")
    queue.start()
    try:
        assert queue.wait_until_empty(5)
    finally:
        queue.close()
    assert fake_zpl_printer.wait_for_jobs(1) == [b"still printed"]


@pytest.mark.allow_warning_logs
def test_damaged_job_files_set_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "queue"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json")
    (folder / "orphan.job").write_bytes(b"data without a description")

    queue = PrintQueue(folder, ZplTcpPrinter("127.0.0.1", closed_port()))

    assert queue.jobs() == []
    assert job_files(folder) == ["broken.bad"]
    assert "broken.json is damaged" in caplog.text


def test_unwritable_queue_folder_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "queue"
    blocker.write_text("a file where the folder should be")
    queue = PrintQueue(blocker, ZplTcpPrinter("127.0.0.1", 9100))

    with pytest.raises(PrintQueueError, match="could not be queued"):
        queue.submit(b"x", title="C-0001")


@pytest.mark.allow_warning_logs
def test_statuses_keep_order_per_job(tmp_path: Path) -> None:
    port = closed_port()
    delivered: list[tuple[str, JobState]] = []

    def slow_screen(status: JobStatus) -> None:
        # A screen slow to take the QUEUED status, while the worker is already sending the job.
        if status.state == JobState.QUEUED:
            time.sleep(0.3)
        delivered.append((status.job_id, status.state))

    queue = fast_queue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", port, timeout_s=2), slow_screen)
    queue.start()
    try:
        first = queue.submit(b"first", title="C-0001")
        second = queue.submit(b"second", title="C-0002")
        deadline = time.monotonic() + 5
        while (second.job_id, JobState.WAITING_RETRY) not in delivered and time.monotonic() < deadline:
            time.sleep(0.02)
        assert queue.cancel(second.job_id)
    finally:
        queue.close()

    states = {job_id: [state for delivered_id, state in delivered if delivered_id == job_id] for job_id, _ in delivered}
    assert states[first.job_id][:3] == [JobState.QUEUED, JobState.PRINTING, JobState.WAITING_RETRY]
    assert states[second.job_id][0] == JobState.QUEUED
    assert states[second.job_id][-1] == JobState.CANCELLED
    for job_states in states.values():
        # Once sent, a job is never reported as queued again.
        assert job_states.count(JobState.QUEUED) == 1


@pytest.mark.allow_warning_logs
def test_retry_logged_once_per_outage(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    port = closed_port()
    recorder = StatusRecorder()
    queue = fast_queue(tmp_path / "queue", ZplTcpPrinter("127.0.0.1", port, timeout_s=2), recorder)
    caplog.set_level(logging.DEBUG, logger="kiosk.labels.queue")
    queue.start()
    try:
        status = queue.submit(b"^XA^XZ", title="C-0001")
        recorder.wait_for_state(JobState.WAITING_RETRY, count=4)
        with FakeZplPrinter(port):
            assert queue.wait_until_empty(5)
    finally:
        queue.close()

    failures = [record for record in caplog.records if "failed on ZPL printer" in record.getMessage()]
    warnings = [record for record in failures if record.levelno == logging.WARNING]
    assert len(failures) >= 4
    assert len(warnings) == 1
    assert warnings[0].exc_info is None
    message = warnings[0].getMessage()
    assert status.job_id in message
    assert f"ZPL printer at 127.0.0.1:{port}" in message
    assert "refused the connection" in message
    assert "\n" not in message
    tracebacks = [record for record in caplog.records if record.exc_info and record.levelno == logging.DEBUG]
    assert len(tracebacks) == len(failures)
    assert f"ZPL printer at 127.0.0.1:{port} printed again after" in caplog.text


@pytest.mark.allow_warning_logs
def test_retry_warning_repeats_after_interval(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    now_s = [0.0]
    queue = PrintQueue(
        tmp_path / "queue",
        ZplTcpPrinter("127.0.0.1", closed_port(), timeout_s=2),
        first_retry_s=1.0,
        jitter=0.0,
        warning_interval_s=600.0,
        clock=lambda: now_s[0],
    )
    caplog.set_level(logging.DEBUG, logger="kiosk.labels.queue")
    queue.submit(b"^XA^XZ", title="C-0001")
    job = queue._ordered()[0]

    # Attempts driven by hand at fixed clock times: 0, 100, 200, then 700 s.
    for now_s[0] in (0.0, 100.0, 200.0, 700.0):
        queue._attempt(job)

    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "attempt 1" in warnings[0]
    assert "attempt 4" in warnings[1]
    assert "(2 more failure(s) logged at DEBUG since the last warning)" in warnings[1]
