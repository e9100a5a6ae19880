"""The single writer: one thread, one connection, every write of a station store goes through it."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import peewee
from peewee import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
_STOP = object()


class WriterStopped(RuntimeError):
    """The writer was closed; nothing more can be written through it."""


class Writer:
    """Runs write jobs one after another on its own thread, each in one transaction.

    `run` blocks the caller until the job has committed (or failed) and returns
    its result or raises its exception; `submit` returns a Future instead.
    """

    def __init__(self, db: Database, *, name: str = "store-writer"):
        self._db = db
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._started = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        # Set before the thread starts, so the writer's own connection is the
        # only one opened without query_only.
        if hasattr(db, "writer_thread"):
            db.writer_thread = self._thread
        self._start_error: BaseException | None = None
        self._thread.start()
        self._started.wait()
        if self._start_error is not None:
            raise self._start_error

    @property
    def thread(self) -> threading.Thread:
        """The writer's thread (for checks that code runs on it)."""
        return self._thread

    def submit(self, job: Callable[[], T], *, transaction: bool = True) -> Future[T]:
        """Queue a job to run on the writer thread, inside one transaction unless `transaction` is False."""
        if self._closed:
            raise WriterStopped("the store is closed; reopen it to record events")
        future: Future[T] = Future()
        self._jobs.put((job, transaction, future))
        return future

    def run(self, job: Callable[[], T], *, transaction: bool = True) -> T:
        """Run a job on the writer thread and wait for its result."""
        if threading.current_thread() is self._thread:
            # A job that writes more: already on the writer, inside its transaction.
            return job()
        return self.submit(job, transaction=transaction).result()

    def close(self) -> None:
        """Finish queued jobs, close the writer connection and stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(_STOP)
        self._thread.join()

    def _in_transaction(self, job: Callable[[], T]) -> T:
        transaction = self._db.atomic()
        transaction.__enter__()
        try:
            result = job()
        except BaseException as error:
            try:
                transaction.__exit__(type(error), error, error.__traceback__)
            except peewee.OperationalError:
                # SQLite rolls a transaction back by itself on SQLITE_FULL and
                # some I/O errors; the job's own error is the one to report.
                if getattr(self._db.connection(), "in_transaction", False):
                    raise
            raise
        transaction.__exit__(None, None, None)
        return result

    def _loop(self) -> None:
        try:
            self._db.connect(reuse_if_open=True)
        except BaseException as error:  # reported to the constructor's caller
            self._start_error = error
            self._started.set()
            return
        self._started.set()
        try:
            while True:
                item = self._jobs.get()
                if item is _STOP:
                    break
                job, transaction, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    result = self._in_transaction(job) if transaction else job()
                except BaseException as error:
                    future.set_exception(error)
                else:
                    future.set_result(result)
        finally:
            self._db.close()
