"""The print queue: label jobs kept on disk until the printer takes them, sent in order by one worker thread.

    queue = PrintQueue(data_dir / "print-queue", printer, on_status=show_status)
    queue.start()
    queue.submit(job_bytes, title="C-0KZ3M7Q1X2ABCD")   # returns at once

`submit` only writes the job to disk, so recording an event never waits for
a printer. The worker sends jobs oldest first; when the printer fails it
waits (5 s, 10 s, 20 s ... up to 5 min by default, with jitter) and tries the
same job again, so labels come out in the order they were asked for. A job
leaves the disk only once the printer has taken it or someone cancels it, so
jobs survive a restart of the station.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.labels.files import write_file_atomically
from kiosk.labels.printers import Printer, PrinterError
from sync.ids import new_event_id

log = logging.getLogger(__name__)

METADATA_SUFFIX = ".json"
DATA_SUFFIX = ".job"


class JobState(StrEnum):
    """State of a print job."""

    QUEUED = "queued"
    PRINTING = "printing"
    WAITING_RETRY = "waiting_retry"
    PRINTED = "printed"
    CANCELLED = "cancelled"
    # The job's file on disk could not be read back; the label must be printed again.
    LOST = "lost"


@dataclass(frozen=True)
class JobStatus:
    """A job's state as reported to the status callback; ``message`` is for the operator."""

    job_id: str
    title: str
    state: JobState
    attempts: int
    message: str
    retry_in_s: float | None = None


class PrintQueueError(Exception):
    """A job could not be stored (full disk, unwritable folder); nothing was queued."""


@dataclass
class _Job:
    job_id: str
    title: str
    created_utc_s: float
    attempts: int = 0
    last_error: str | None = None


StatusCallback = Callable[[JobStatus], None]


class PrintQueue:
    """Keeps print jobs in a folder and sends them to one printer from a worker thread.

    ``on_status`` receives a JobStatus on every change: from the caller's
    thread for QUEUED and CANCELLED, from the worker thread ("print-queue")
    otherwise. Calls never overlap, and a job's statuses arrive in the order
    its changes happened, so the latest status is the job's state. It must
    not block, since the worker waits for it; a Qt bridge re-emits it as a
    signal.

    A failed attempt is logged as one WARNING line with the job, the printer
    and the error. While the printer keeps failing with the same error,
    further failures are logged at DEBUG, with one WARNING again every
    ``warning_interval_s``. Tracebacks are logged at DEBUG only.
    """

    def __init__(
        self,
        folder: Path,
        printer: Printer,
        *,
        on_status: StatusCallback | None = None,
        first_retry_s: float = 5.0,
        max_retry_s: float = 300.0,
        jitter: float = 0.1,
        warning_interval_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.folder = Path(folder)
        self.printer = printer
        self._on_status = on_status
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._jitter = jitter
        self._clock = clock
        self._condition = threading.Condition()
        self._jobs: dict[str, _Job] = {}
        self._sending: str | None = None
        self._failures = 0
        self._retry_at = 0.0
        # Held from a change of a job to the end of its status call, so that statuses keep their order.
        self._report_lock = threading.RLock()
        self._failure_log = _FailureLog(warning_interval_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._load()

    # --- Caller side ---------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="print-queue", daemon=True)
        self._thread.start()
        log.info("Print queue started for %s with %d job(s) waiting", self.printer.description, len(self._jobs))

    def close(self, *, timeout_s: float = 5.0) -> None:
        """Stop the worker; waiting jobs stay on disk for the next start.

        Waits up to ``timeout_s`` for a job being sent to finish. A printer
        timeout can take longer, so the thread is a daemon and ends with the process.
        """
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        log.info("Print queue stopped with %d job(s) waiting", len(self._jobs))

    def submit(self, data: bytes, *, title: str) -> JobStatus:
        """Store a job on disk and wake the worker; returns without waiting for the printer.

        Raises PrintQueueError when the job cannot be written (the label is then not queued).
        """
        job = _Job(new_event_id(), title, time.time())
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_file_atomically(self._path(job.job_id, DATA_SUFFIX), data)
            write_file_atomically(self._path(job.job_id, METADATA_SUFFIX), json.dumps(asdict(job)).encode("utf-8"))
        except OSError as error:
            with contextlib.suppress(OSError):
                self._path(job.job_id, DATA_SUFFIX).unlink(missing_ok=True)
            raise PrintQueueError(
                f"the label {title} could not be queued: {error.strerror or error} in {self.folder}; "
                "free disk space and print it again"
            ) from error
        with self._report_lock:
            with self._condition:
                self._jobs[job.job_id] = job
                position = len(self._jobs)
                self._condition.notify_all()
            log.info("Queued print job %s (%s) for %s", job.job_id, title, self.printer.description)
            status = JobStatus(job.job_id, title, JobState.QUEUED, 0, _queued_message(title, position))
            self._notify(status)
        return status

    def jobs(self) -> list[JobStatus]:
        """Return the jobs waiting, oldest first."""
        with self._condition:
            return [self._status_of(job) for job in self._ordered()]

    def retry_now(self) -> None:
        """Try the oldest job at once instead of waiting out the backoff (the operator fixed the printer)."""
        with self._condition:
            self._retry_at = 0.0
            self._condition.notify_all()

    def cancel(self, job_id: str) -> bool:
        """Remove a waiting job; returns False when it is unknown or being sent right now."""
        with self._report_lock:
            with self._condition:
                job = self._jobs.get(job_id)
                if job is None or self._sending == job_id:
                    return False
                del self._jobs[job_id]
                self._condition.notify_all()
            self._remove_files(job_id)
            log.info("Cancelled print job %s (%s)", job_id, job.title)
            self._notify(
                JobStatus(
                    job_id, job.title, JobState.CANCELLED, job.attempts, f"Label {job.title} will not be printed."
                )
            )
        return True

    def wait_until_empty(self, timeout_s: float) -> bool:
        """Block until every job is printed or cancelled; return False on timeout."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._jobs, timeout=timeout_s)

    # --- Worker side ---------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._condition:
                job = self._next_job()
                if job is None:
                    self._condition.wait(timeout=self._wait_time())
                    continue
                self._sending = job.job_id
            try:
                self._attempt(job)
            finally:
                with self._condition:
                    self._sending = None
                    self._condition.notify_all()

    def _next_job(self) -> _Job | None:
        if not self._jobs or self._clock() < self._retry_at:
            return None
        return self._ordered()[0]

    def _wait_time(self) -> float | None:
        if not self._jobs:
            return None
        return max(0.0, self._retry_at - self._clock())

    def _attempt(self, job: _Job) -> None:
        try:
            data = self._path(job.job_id, DATA_SUFFIX).read_bytes()
        except OSError as error:
            log.error("Print job %s (%s) is lost: its file cannot be read: %s", job.job_id, job.title, error)
            self._forget(job)
            self._notify(
                JobStatus(
                    job.job_id,
                    job.title,
                    JobState.LOST,
                    job.attempts,
                    f"Label {job.title} was lost from the print queue; print it again.",
                )
            )
            return
        job.attempts += 1
        self._notify(JobStatus(job.job_id, job.title, JobState.PRINTING, job.attempts, f"Printing label {job.title}."))
        try:
            self.printer.send(data, title=job.title)
        except PrinterError as error:
            self._on_failure(job, str(error), error)
            return
        except Exception as error:  # a bug in a printer class must not stop the queue
            if self._failures == 0:
                log.exception("Printer %s failed unexpectedly on job %s", self.printer.description, job.job_id)
            self._on_failure(job, f"the printer failed unexpectedly ({error})", error)
            return
        with self._condition:
            self._failures = 0
        self._forget(job)
        log.info(
            "Printed job %s (%s) on %s after %d attempt(s)",
            job.job_id,
            job.title,
            self.printer.description,
            job.attempts,
        )
        self._failure_log.record_success(self.printer.description)
        self._notify(JobStatus(job.job_id, job.title, JobState.PRINTED, job.attempts, f"Label {job.title} printed."))

    def _on_failure(self, job: _Job, reason: str, error: Exception) -> None:
        with self._condition:
            self._failures += 1
            delay = self._backoff(self._failures)
            self._retry_at = self._clock() + delay
        job.last_error = reason
        self._save_metadata(job)
        self._failure_log.record_failure(job, self.printer.description, reason, delay, error, now_s=self._clock())
        message = f"{_sentence(reason)} Label {job.title} is kept and prints when the printer is back (next try in {delay:.0f} s)."
        self._notify(JobStatus(job.job_id, job.title, JobState.WAITING_RETRY, job.attempts, message, retry_in_s=delay))

    def _backoff(self, failures: int) -> float:
        delay = min(self._max_retry_s, self._first_retry_s * 2 ** min(failures - 1, 30))
        return delay * random.uniform(1 - self._jitter, 1 + self._jitter)

    # --- Storage -------------------------------------------------------------

    def _path(self, job_id: str, suffix: str) -> Path:
        return self.folder / f"{job_id}{suffix}"

    def _ordered(self) -> list[_Job]:
        # Job ids are UUIDv7, so sorting by id is sorting by submission time.
        return sorted(self._jobs.values(), key=lambda job: job.job_id)

    def _status_of(self, job: _Job) -> JobStatus:
        if job.job_id == self._sending:
            return JobStatus(job.job_id, job.title, JobState.PRINTING, job.attempts, f"Printing label {job.title}.")
        if job.last_error:
            retry_in = max(0.0, self._retry_at - self._clock())
            return JobStatus(
                job.job_id, job.title, JobState.WAITING_RETRY, job.attempts, _sentence(job.last_error), retry_in
            )
        return JobStatus(
            job.job_id, job.title, JobState.QUEUED, job.attempts, f"Label {job.title} is waiting to print."
        )

    def _forget(self, job: _Job) -> None:
        with self._condition:
            self._jobs.pop(job.job_id, None)
            self._condition.notify_all()
        self._remove_files(job.job_id)

    def _remove_files(self, job_id: str) -> None:
        for suffix in (METADATA_SUFFIX, DATA_SUFFIX):
            try:
                self._path(job_id, suffix).unlink(missing_ok=True)
            except OSError as error:
                log.error(
                    "Cannot remove %s of print job %s: %s; it may print again after a restart", suffix, job_id, error
                )

    def _save_metadata(self, job: _Job) -> None:
        try:
            write_file_atomically(self._path(job.job_id, METADATA_SUFFIX), json.dumps(asdict(job)).encode("utf-8"))
        except OSError as error:
            # The job itself is still on disk; only its attempt count is stale.
            log.error("Cannot update print job %s in %s: %s", job.job_id, self.folder, error)

    def _load(self) -> None:
        """Read the jobs a previous run left; set aside unreadable ones and remove orphaned data files."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob(f"*{METADATA_SUFFIX}")):
            job = _read_job(path)
            if job is None or not self._path(job.job_id, DATA_SUFFIX).is_file():
                log.error("Print job file %s is damaged or has no data; moved aside as .bad", path)
                path.replace(path.with_suffix(".bad"))
                continue
            self._jobs[job.job_id] = job
        for path in self.folder.glob(f"*{DATA_SUFFIX}"):
            if path.stem not in self._jobs:
                log.error("Removing print data %s that has no job description", path)
                path.unlink(missing_ok=True)
        for path in self.folder.glob(".writing-*"):
            path.unlink(missing_ok=True)

    def _notify(self, status: JobStatus) -> None:
        if self._on_status is None:
            return
        with self._report_lock:
            try:
                self._on_status(status)
            except Exception:
                log.exception("Print status callback failed for job %s", status.job_id)


class _FailureLog:
    """Logs failed print attempts as one line each, at WARNING only for a new error or after ``interval_s``.

    Used from the worker thread only.
    """

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._reason: str | None = None
        self._warned_s = 0.0
        self._failures = 0
        self._unwarned = 0

    def record_failure(
        self, job: _Job, printer: str, reason: str, delay_s: float, error: BaseException, *, now_s: float
    ) -> None:
        """Log one failed attempt: WARNING for a new error or once per interval, DEBUG for repeats."""
        self._failures += 1
        repeat = reason == self._reason and now_s - self._warned_s < self.interval_s
        level = logging.DEBUG if repeat else logging.WARNING
        repeats = (
            f" ({self._unwarned} more failure(s) logged at DEBUG since the last warning)" if self._unwarned else ""
        )
        log.log(
            level,
            "Print job %s (%s) failed on %s (attempt %d): %s; next try in %.0f s%s",
            job.job_id,
            job.title,
            printer,
            job.attempts,
            reason,
            delay_s,
            "" if repeat else repeats,
        )
        log.debug("Traceback of the failure of print job %s", job.job_id, exc_info=error)
        if repeat:
            self._unwarned += 1
            return
        self._reason = reason
        self._warned_s = now_s
        self._unwarned = 0

    def record_success(self, printer: str) -> None:
        """Log that the printer took a job again after failures, and start afresh."""
        if self._failures:
            log.info("%s printed again after %d failed attempt(s)", printer, self._failures)
        self._reason = None
        self._failures = 0
        self._unwarned = 0


def _read_job(path: Path) -> _Job | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return _Job(
            job_id=str(data["job_id"]),
            title=str(data["title"]),
            created_utc_s=float(data["created_utc_s"]),
            attempts=int(data.get("attempts", 0)),
            last_error=data.get("last_error"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _queued_message(title: str, position: int) -> str:
    if position <= 1:
        return f"Label {title} is queued for printing."
    return f"Label {title} is queued for printing ({position - 1} job(s) ahead)."
