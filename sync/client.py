"""The station's sync client: sends the outbox in batches, pulls other stations' events, keeps receipts.

    client = SyncClient(store, SyncSettings(server_url="https://lineage.plant", token=token))
    report = client.sync_once()           # push every pending event, then pull
    client.start(on_status=ui_callback)   # or keep syncing on a background thread

Delivery is at least once: an event leaves the outbox only when the server
has returned a result for it (accepted or duplicate), and the server's ingest is
idempotent by event id, so the effect is exactly once. A rejected event stays
in the outbox with its reason and never holds up the events behind it.
Nothing here imports Qt: the UI gets `SyncStatus` values through a callback
on the sync thread and turns them into signals itself.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from pydantic import ValidationError

from sync import projection
from sync.errors import StoreError
from sync.models import ChainHead, Event, Outbox, Setting, event_from_row, event_row
from sync.protocol import API_PREFIX, MAX_BATCH_EVENTS, BatchResponse, PullPage
from sync.records import Event as RecordEvent
from sync.records import InvalidEvent, event_from_dict, format_time, now_local
from sync.reference import import_reference_rows
from sync.request_errors import INVALID_URL, ServerAddress, explain_request_failure
from sync.store import Store, now_utc_us

log = logging.getLogger(__name__)

CURSOR_SETTING = "sync_cursor"
RECEIPT_SETTING = "sync_last_receipt"
LAST_SUCCESS_SETTING = "sync_last_success"
# Pages pulled in one pull; the rest waits for the next round.
MAX_PULL_PAGES = 50


@dataclass(frozen=True)
class SyncSettings:
    """Sync settings of a station: server, token, TLS, timeouts and delays (in seconds)."""

    server_url: str
    token: str
    # CA bundle (PEM file or folder) for the server's TLS certificate; empty: the system's CAs.
    ca_bundle: str = ""
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    batch_size: int = 200
    pull_page_size: int = 500
    interval_s: float = 10.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 300.0


@dataclass(frozen=True)
class SyncStatus:
    """Sync state shown at the station: online or not, events waiting, rejected events, last success."""

    online: bool
    waiting: int
    rejected: int
    last_success_at: str | None
    last_error: str | None = None
    # The `SyncError.code` of the last error, such as "refused"; None after a success.
    last_error_code: str | None = None
    next_attempt_in_s: float | None = None
    # Set when the server's receipt does not match this station's own chain.
    receipt_problem: str | None = None
    # Other stations whose events here have missing sequence numbers: station id -> count missing.
    open_gaps: dict[str, int] = field(default_factory=dict)


@dataclass
class SyncReport:
    """Counts of one `sync_once` round."""

    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    pulled: int = 0
    waiting: int = 0
    reference_added: int = 0

    def summary(self) -> str:
        """Return one line for logs and `lineage sync --once`."""
        sent = self.accepted + self.duplicates + self.rejected
        batches = "batch" if self.batches == 1 else "batches"
        entries = "entry" if self.reference_added == 1 else "entries"
        return (
            f"sent {_count(sent, 'event')} in {self.batches} {batches} "
            f"({self.accepted} accepted, {self.duplicates} duplicate, {self.rejected} rejected), "
            f"pulled {_count(self.pulled, 'event')} and {self.reference_added} new reference {entries}, "
            f"{self.waiting} still waiting"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class SyncError(Exception):
    """Sync did not complete. The message states what happened and what to do.

    ``code`` is a short name for the kind of failure (such as ``refused`` or
    ``rejected``), which the station's status line shows in a few words.
    """

    default_code = "failed"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.code = code or self.default_code


class ServerUnreachable(SyncError):
    """The server could not be reached or its response was unusable (timeout, reset, 5xx, garbled); retry later."""

    default_code = "unreachable"


class ServerBusy(ServerUnreachable):
    """The server responded 429 or 503 with a delay to wait before retrying."""

    default_code = "busy"

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SyncMisconfigured(SyncError):
    """The station's sync settings cannot work (an unusable CA bundle, say); fix the configuration."""

    default_code = "misconfigured"


class RequestRejected(SyncError):
    """The server rejected the request itself (bad token, wrong station, invalid request); retrying alone will not help."""

    default_code = "rejected"

    def __init__(self, message: str, status: int, body: bytes = b""):
        super().__init__(message, code="unauthorized" if status == 401 else None)
        self.status = status
        self.body = body


class SyncClient:
    """Outbox sender and puller for one station store. Thread-safe for one sync thread plus status readers."""

    def __init__(
        self,
        store: Store,
        settings: SyncSettings,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = now_local,
        random_fraction: Callable[[], float] = random.random,
    ):
        self.store = store
        self.settings = settings
        self.session = session or requests.Session()
        self._address = ServerAddress(
            settings.server_url, settings.ca_bundle, settings.connect_timeout_s, settings.read_timeout_s
        )
        self.session.headers["Authorization"] = f"Bearer {settings.token}"
        self._clock = clock
        self._random_fraction = random_fraction
        self._batch_size = max(1, min(settings.batch_size, MAX_BATCH_EVENTS))
        self._online = False
        self._last_error: str | None = None
        self._last_error_code: str | None = None
        self._next_attempt_in_s: float | None = None
        self._receipt_problem: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- HTTP ----------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.settings.server_url.rstrip("/") + API_PREFIX + path

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request; return the decoded JSON of a 2xx response or raise a SyncError subclass."""
        url = self._url(path)
        try:
            response = self.session.request(
                method,
                url,
                timeout=(self.settings.connect_timeout_s, self.settings.read_timeout_s),
                verify=self.settings.ca_bundle or True,
                **kwargs,
            )
            content = response.content
        except requests.RequestException as error:
            # The sentence names the server and what to check; requests' own text stays in the debug log.
            log.debug("%s %s failed: %r", method, url, error)
            failure = explain_request_failure(error, server=self._address)
            if failure.code == INVALID_URL:
                raise SyncMisconfigured(failure.message, code=failure.code) from error
            raise ServerUnreachable(failure.message, code=failure.code) from error
        except OSError as error:
            # requests raises a plain OSError when the CA bundle path is unusable.
            raise SyncMisconfigured(
                f"the CA bundle {self.settings.ca_bundle!r} cannot be used ({error}); fix sync_ca_bundle"
            ) from error
        if response.status_code in (429, 503):
            raise ServerBusy(
                f"the server is busy ({response.status_code}): {_error_message(content)}",
                _retry_after_s(response.headers.get("Retry-After")),
            )
        if response.status_code >= 500:
            raise ServerUnreachable(
                f"{method} {url} failed with {response.status_code}: {_error_message(content)}", code="server_error"
            )
        if response.status_code >= 400:
            raise RequestRejected(
                f"{method} {url} was rejected with {response.status_code}: {_error_message(content)}",
                response.status_code,
                content,
            )
        try:
            return json.loads(content)
        except ValueError as error:
            raise ServerUnreachable(
                f"{method} {url} returned a body that is not valid JSON ({error}); retrying", code="invalid_response"
            ) from error

    # --- Sending -------------------------------------------------------------

    def pending_events(self, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` of this station's pending events, in sequence order."""
        with self.store.reading():
            ids = [
                row.event_id
                for row in Outbox.select(Outbox.event_id)
                .where(Outbox.state == "pending")
                .order_by(Outbox.seq)
                .limit(limit)
            ]
            selected: list[Any] = list(Event.select().where(Event.event_id.in_(ids)).dicts()) if ids else []
            rows = {row["event_id"]: row for row in selected}
        return [event_from_row(rows[event_id]).to_dict() for event_id in ids if event_id in rows]

    def send_batch(self) -> SyncReport:
        """Send one batch of pending events and record the server's result for each; return the counts."""
        report = SyncReport()
        events = self.pending_events(self._batch_size)
        if not events:
            return report

        batch = {"station_id": self.store.station_id, "sent_at": format_time(self._clock()), "events": events}
        try:
            data = self._request("POST", "/events/batch", json=batch)
        except RequestRejected as error:
            if error.status == 413 and self._batch_size > 1:
                self._batch_size = max(1, self._batch_size // 2)
                log.warning(
                    "Server rejected a batch of %d events as too large; sending %d per batch now",
                    len(events),
                    self._batch_size,
                )
                return report
            if error.status == 422 and self._mark_invalid(error, events, report):
                report.batches += 1
                return report
            self._record_attempt_failure(events, str(error))
            raise
        except ServerUnreachable as error:
            self._record_attempt_failure(events, str(error))
            raise

        answer = self._parse_batch_answer(data, events)
        self._record_results(answer)
        report.batches = 1
        report.accepted, report.duplicates, report.rejected = answer.accepted, answer.duplicates, answer.rejected
        log.info(
            "Sent batch of %d events: %d accepted, %d duplicate, %d rejected; server head seq %d",
            len(events),
            answer.accepted,
            answer.duplicates,
            answer.rejected,
            answer.receipt.seq,
        )
        return report

    def _parse_batch_answer(self, data: Any, events: list[dict[str, Any]]) -> BatchResponse:
        try:
            answer = BatchResponse.model_validate(data)
        except ValidationError as error:
            raise ServerUnreachable(
                f"the server's response to a batch is malformed ({error.error_count()} problems); retrying"
            ) from error
        sent_ids = [event["event_id"] for event in events]
        if [result.event_id for result in answer.results] != sent_ids:
            raise ServerUnreachable("the server's response does not list the events sent, in order; retrying")
        return answer

    def _record_results(self, answer: BatchResponse) -> None:
        now = now_utc_us()
        done = [r.event_id for r in answer.results if r.status in ("accepted", "duplicate")]
        rejected = [r for r in answer.results if r.status == "rejected"]
        receipt = answer.receipt.model_dump()

        def job() -> None:
            if done:
                Outbox.update(state="sent", updated_utc_us=now, last_error=None).where(
                    Outbox.event_id.in_(done)
                ).execute()
            for result in rejected:
                Outbox.update(
                    state="rejected", updated_utc_us=now, rejection_reason=f"{result.code}: {result.reason}"
                ).where(Outbox.event_id == result.event_id).execute()
            Setting.replace(key=RECEIPT_SETTING, value=json.dumps(receipt, sort_keys=True)).execute()

        self.store.write(job)
        for result in rejected:
            log.error("Server rejected event %s (%s): %s", result.event_id, result.code, result.reason)
        self._check_receipt(receipt)

    def _mark_invalid(self, error: RequestRejected, events: list[dict[str, Any]], report: SyncReport) -> bool:
        """Mark the events a 422 names as rejected, so the rest go in the next batch; False if it names none."""
        try:
            details = json.loads(error.body)["error"]["details"]
        except (ValueError, KeyError, TypeError):
            return False
        reasons: dict[str, list[str]] = {}
        sent = {event["event_id"] for event in events}
        for detail in details if isinstance(details, list) else []:
            event_id = detail.get("event_id") if isinstance(detail, dict) else None
            if isinstance(event_id, str) and event_id in sent:
                reasons.setdefault(event_id, []).append(f"{detail.get('location')}: {detail.get('rule')}")
        if not reasons:
            return False
        now = now_utc_us()

        def job() -> None:
            for event_id, problems in reasons.items():
                Outbox.update(
                    state="rejected", updated_utc_us=now, rejection_reason="invalid: " + "; ".join(problems)
                ).where(Outbox.event_id == event_id).execute()

        self.store.write(job)
        for event_id, problems in reasons.items():
            log.error("Server rejected event %s as invalid: %s", event_id, "; ".join(problems))
        report.rejected += len(reasons)
        return True

    def _record_attempt_failure(self, events: list[dict[str, Any]], message: str) -> None:
        ids = [event["event_id"] for event in events]
        try:
            self.store.write(
                lambda: (
                    Outbox.update(attempts=Outbox.attempts + 1, last_error=message[:500], updated_utc_us=now_utc_us())
                    .where(Outbox.event_id.in_(ids))
                    .execute()
                )
            )
        except StoreError as error:
            log.warning("Could not note the failed attempt in the outbox: %s", error)

    def push(self) -> SyncReport:
        """Send batches until no event is pending (or only rejected ones remain); return the totals."""
        total = SyncReport()
        while True:
            report = self.send_batch()
            if report.batches == 0 and report.rejected == 0:
                if not self.pending_events(1):
                    break
                continue  # the batch size was just lowered after a 413
            total.batches += report.batches
            total.accepted += report.accepted
            total.duplicates += report.duplicates
            total.rejected += report.rejected
        return total

    # --- Receipts ------------------------------------------------------------

    def _check_receipt(self, receipt: dict[str, Any]) -> None:
        """Compare the server's receipt with this station's chain; a mismatch means the chain was rewritten or restored."""
        problem = receipt_problem(self.store, receipt)
        if problem != self._receipt_problem and problem is not None:
            log.error("Receipt check failed for station %s: %s", self.store.station_id, problem)
        self._receipt_problem = problem

    # --- Pulling -------------------------------------------------------------

    def pull(self) -> int:
        """Fetch other stations' events after the stored cursor and store them; return how many were new."""
        stored = 0
        with self.store.reading():
            cursor = int(self.store.get_setting(CURSOR_SETTING, "0") or 0)
        for _ in range(MAX_PULL_PAGES):
            data = self._request("GET", "/events", params={"after": cursor, "limit": self.settings.pull_page_size})
            try:
                page = PullPage.model_validate(data)
            except ValidationError as error:
                raise ServerUnreachable(
                    f"the server's pull page is malformed ({error.error_count()} problems); retrying"
                ) from error
            events = []
            for item in page.events:
                try:
                    events.append(event_from_dict(item))
                except InvalidEvent as error:
                    log.error("Pulled event %s is invalid and was not stored: %s", item.get("event_id"), error)
            new_cursor = page.cursor

            def job(events: list[Any] = events, new_cursor: int = new_cursor) -> int:
                count = store_pulled(events)
                Setting.replace(key=CURSOR_SETTING, value=str(new_cursor)).execute()
                return count

            stored += self.store.write(job)
            cursor = new_cursor
            if not page.has_more:
                break
        if stored:
            log.info("Pulled %d new events from other stations (cursor %d)", stored, cursor)
        return stored

    def pull_reference(self) -> int:
        """Fetch the server's reference data and add new entries and versions; return how many were added."""
        data = self._request("GET", "/reference")
        sections = data.get("sections") if isinstance(data, dict) else None
        if not isinstance(sections, dict):
            raise ServerUnreachable("the server's reference data is malformed; retrying")
        added = self.store.write(lambda: import_reference_rows(sections))
        count = sum(added.values())
        if count:
            log.info("Pulled reference data: %s", ", ".join(f"{n} {name}" for name, n in added.items() if n))
        return count

    # --- Rounds and status ---------------------------------------------------

    def sync_once(self, *, reference: bool = True) -> SyncReport:
        """Push every pending event, pull others' events (and reference data); raise SyncError on failure."""
        try:
            report = self.push()
            report.pulled = self.pull()
            if reference:
                report.reference_added = self.pull_reference()
        except SyncError as error:
            self._online = not isinstance(error, ServerUnreachable) or isinstance(error, ServerBusy)
            self._last_error = str(error)
            self._last_error_code = error.code
            raise
        self._online = True
        self._last_error = None
        self._last_error_code = None
        self.store.set_setting(LAST_SUCCESS_SETTING, format_time(now_local()))
        report.waiting = self.status().waiting
        return report

    def status(self) -> SyncStatus:
        """Return the current sync status (reads the store on the calling thread)."""
        with self.store.reading():
            waiting = Outbox.select().where(Outbox.state == "pending").count()
            rejected = Outbox.select().where(Outbox.state == "rejected").count()
            last_success = self.store.get_setting(LAST_SUCCESS_SETTING)
            gaps = station_gaps(exclude=self.store.station_id)
        return SyncStatus(
            online=self._online,
            waiting=waiting,
            rejected=rejected,
            last_success_at=last_success,
            last_error=self._last_error,
            last_error_code=self._last_error_code,
            next_attempt_in_s=self._next_attempt_in_s,
            receipt_problem=self._receipt_problem,
            open_gaps=gaps,
        )

    def rejected_events(self) -> list[dict[str, Any]]:
        """Return this station's rejected events with their reasons, oldest first, for review and correction."""
        with self.store.reading():
            query: Any = (
                Outbox.select(Outbox, Event.kind, Event.occurred_at)
                .join(Event, on=(Event.event_id == Outbox.event_id))
                .where(Outbox.state == "rejected")
                .order_by(Outbox.seq)
                .dicts()
            )
            return [
                {
                    "event_id": row["event_id"],
                    "seq": row["seq"],
                    "kind": row["kind"],
                    "occurred_at": row["occurred_at"],
                    "reason": row["rejection_reason"],
                }
                for row in query
            ]

    def backoff_s(self, failures: int) -> float:
        """Return the delay before retry number ``failures`` (1, 2, ...): exponential, capped, with jitter.

        The delay doubles from backoff_initial_s up to backoff_max_s. Its second
        half is random, so stations that lost the server together do not come
        back at the same moment.
        """
        cap = min(self.settings.backoff_max_s, self.settings.backoff_initial_s * 2 ** max(0, failures - 1))
        return cap / 2 + cap / 2 * self._random_fraction()

    # --- Background thread ---------------------------------------------------

    def start(self, *, on_status: Callable[[SyncStatus], None] | None = None) -> None:
        """Start syncing on a background thread named ``sync-client``; ``on_status`` runs on that thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run, kwargs={"on_status": on_status}, name="sync-client", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Ask the background thread to sync now (after recording an event, say)."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the background thread and wait up to ``timeout_s`` for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def run(self, *, on_status: Callable[[SyncStatus], None] | None = None) -> None:
        """Sync until `stop`: each round pushes and pulls, then waits the interval or the backoff delay.

        `wake` during the interval starts the next round at once. During a
        backoff delay (server unreachable or busy) it only reports a fresh
        status, so recording events while offline does not retry sooner.
        """
        failures = 0
        logged_error: str | None = None
        while not self._stop.is_set():
            backing_off = True
            try:
                self.sync_once()
                if failures:
                    log.info("Sync works again after %d failed attempts", failures)
                failures = 0
                logged_error = None
                backing_off = False
                delay = self.settings.interval_s
            except ServerBusy as error:
                delay = error.retry_after_s + self._random_fraction()
                log.info("Server busy; retrying in %.1f s", delay)
            except SyncError as error:
                failures += 1
                delay = self.backoff_s(failures)
                # A warning when the failure is new; the same failure again is only counted, at INFO.
                if str(error) != logged_error:
                    log.warning("Sync failed (attempt %d): %s; retrying in %.1f s", failures, error, delay)
                    logged_error = str(error)
                else:
                    log.info("Sync failed again (attempt %d, same error); retrying in %.1f s", failures, delay)
            except StoreError as error:
                failures += 1
                delay = self.backoff_s(failures)
                log.error("Sync could not use the station store: %s; retrying in %.1f s", error, delay)
            self._wait_for_next_round(delay, backing_off=backing_off, on_status=on_status)

    def _wait_for_next_round(
        self, delay_s: float, *, backing_off: bool, on_status: Callable[[SyncStatus], None] | None
    ) -> None:
        deadline = time.monotonic() + delay_s
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            self._next_attempt_in_s = max(0.0, remaining)
            if on_status is not None:
                _notify(on_status, self.status())
            if remaining <= 0:
                return
            woken = self._wake.wait(remaining)
            self._wake.clear()
            if not woken or not backing_off:
                return


def _notify(on_status: Callable[[SyncStatus], None], status: SyncStatus) -> None:
    try:
        on_status(status)
    except Exception:  # a broken UI callback must not stop sync
        log.exception("Sync status callback failed")


def _error_message(content: bytes) -> str:
    try:
        message = json.loads(content)["error"]["message"]
        return str(message)
    except (ValueError, KeyError, TypeError):
        text = content[:200].decode("utf-8", errors="replace")
        return text or "no message"


def _retry_after_s(header: str | None) -> float:
    try:
        return max(0.0, min(float(header or 1), 3600.0))
    except ValueError:
        return 1.0


def store_pulled(events: list[RecordEvent]) -> int:
    """Store other stations' events that are not held yet, with one insert per table; return how many were new.

    Ends in the same tables as `Store.ingest`, which stores and projects one
    event at a time: a page of hundreds of pulled events costs a few
    statements instead of several per event. Run on the store's writer.
    """
    if not events:
        return 0
    ids = [event.event_id for event in events]
    held = {row.event_id for row in Event.select(Event.event_id).where(Event.event_id.in_(ids))}
    new: list[RecordEvent] = []
    for event in events:
        if event.event_id not in held:
            held.add(event.event_id)
            new.append(event)
    if not new:
        return 0
    now = now_utc_us()
    projection.insert_many_plain(Event, [event_row(event, now) for event in new])
    projection.apply_events_bulk(new)

    tops: dict[str, RecordEvent] = {}
    for event in new:
        if event.station_id not in tops or event.seq > tops[event.station_id].seq:
            tops[event.station_id] = event
    heads = {row.station_id: row for row in ChainHead.select().where(ChainHead.station_id.in_(list(tops)))}
    for station_id, top in tops.items():
        head = heads.get(station_id)
        if head is None:
            ChainHead.insert(station_id=station_id, seq=top.seq, hash=top.hash).execute()
        elif top.seq > head.seq:
            ChainHead.update(seq=top.seq, hash=top.hash).where(ChainHead.station_id == station_id).execute()
    return len(new)


def receipt_problem(store: Store, receipt: dict[str, Any]) -> str | None:
    """Return why a server receipt contradicts this station's own chain, or None when it matches."""
    seq = int(receipt.get("seq", 0))
    if seq == 0 or receipt.get("station_id") != store.station_id:
        return None
    with store.reading():
        own = Event.get_or_none((Event.station_id == store.station_id) & (Event.seq == seq))
        head = Event.select(Event.seq).where(Event.station_id == store.station_id).order_by(Event.seq.desc()).first()
    if own is None:
        top = head.seq if head is not None else 0
        return (
            f"the server holds seq {seq} of station {store.station_id}, but this store's chain ends at seq {top}: "
            "the store was restored from an older backup or replaced. Stop recording and call your administrator"
        )
    if own.hash != receipt.get("hash"):
        return (
            f"the server's event at seq {seq} has another hash than this store's: this station's chain was rewritten. "
            "Stop recording and call your administrator"
        )
    return None


def station_gaps(*, exclude: str | None) -> dict[str, int]:
    """Return, per other station, how many sequence numbers below its highest are missing here."""
    from peewee import fn

    query: Any = Event.select(Event.station_id, fn.COUNT(Event.event_id).alias("held"), fn.MAX(Event.seq).alias("top"))
    if exclude is not None:
        query = query.where(Event.station_id != exclude)
    query = query.group_by(Event.station_id).tuples()
    return {station: int(top) - int(held) for station, held, top in query if int(top) > int(held)}
