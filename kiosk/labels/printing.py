"""Label printing at a station: render for the configured printer, queue, reprint, and relabel containers.

    printing = LabelPrinting.from_config(config, store, on_status=show_status)
    printing.start()
    printing.print_label("C-0KZ3M7Q1X2ABCD")          # reprint any label
    result = printing.relabel_container("C-0KZ3M7Q1X2ABCD", reason="label torn", operator_id="OP-0007")

Recording comes first and never depends on the printer: `relabel_container`
returns the recorded event even when the label cannot be rendered or queued,
with the reason in ``print_error``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from kiosk.labels.content import LabelContent, lookup_identifier, read_label_content, station_today
from kiosk.labels.errors import LabelError
from kiosk.labels.options import LabelOptions, SheetOptions
from kiosk.labels.prepared import prepare_label
from kiosk.labels.printers import printer_from_config
from kiosk.labels.queue import JobStatus, PrintQueue, PrintQueueError, StatusCallback
from kiosk.labels.render import render_labels
from kiosk.labels.render_png import draw_label
from kiosk.scan.payloads import InvalidLabelRequest, check_resolver_base
from sync.errors import StoreError
from sync.ids import new_short_id
from sync.lineage import container_state, resolve
from sync.records import Event
from sync.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelabelResult:
    """A recorded relabel and what became of its sticker.

    ``print_error`` is None when the label was queued, and ``print_status``
    gives the job's state. Otherwise ``print_error`` gives the reason no label
    was queued, and the relabel is recorded all the same.
    """

    event: Event
    container_id: str
    old_label: str
    new_label: str
    print_status: JobStatus | None
    print_error: str | None = None


class LabelPrinting:
    """Renders labels in the printer's format and hands them to the print queue."""

    def __init__(
        self,
        store: Store,
        queue: PrintQueue,
        *,
        options: LabelOptions,
        station_id: str,
        resolver_base: str = "",
        time_zone: str = "",
        sheet: SheetOptions | None = None,
    ):
        self.store = store
        self.queue = queue
        self.options = options
        self.station_id = station_id
        self.resolver_base = resolver_base
        self.time_zone = time_zone
        self.sheet = sheet
        # Reject a bad zone name or resolver base now, not at the first label.
        station_today(time_zone)
        if resolver_base:
            try:
                check_resolver_base(resolver_base)
            except InvalidLabelRequest as error:
                raise LabelError(str(error)) from error

    @classmethod
    def from_config(cls, config: Any, store: Store, *, on_status: StatusCallback | None = None) -> LabelPrinting:
        """Build the printer, the on-disk queue (<data dir>/print-queue) and the label options from the settings.

        Raises LabelError or PrinterNotConfigured naming the setting to fix.
        """
        data_dir = Path(config.store_path).parent
        printer = printer_from_config(config, default_folder=data_dir / "labels")
        queue = PrintQueue(
            data_dir / "print-queue",
            printer,
            on_status=on_status,
            first_retry_s=config.printer_retry_first_s,
            max_retry_s=config.printer_retry_max_s,
        )
        return cls(
            store,
            queue,
            options=LabelOptions.from_config(config),
            station_id=config.station_id,
            resolver_base=config.label_resolver_base,
            time_zone=config.time_zone,
        )

    def start(self) -> None:
        """Start sending queued jobs (including those left from the last run)."""
        self.queue.start()

    def close(self) -> None:
        """Stop the queue's worker; jobs not yet printed stay on disk."""
        self.queue.close()

    def content(self, identifier: str) -> LabelContent:
        """Return the label of a container, lot or sample; raises NotFound, Ambiguous or LabelError."""
        with self.store.reading():
            return read_label_content(
                identifier,
                station_id=self.station_id,
                today=station_today(self.time_zone),
                resolver_base=self.resolver_base or None,
            )

    def preview(self, identifier: str) -> Image.Image:
        """Draw the label as it prints (one pixel per printer dot), for the screen before printing."""
        return draw_label(prepare_label(self.content(identifier), self.options))

    def print_label(self, identifier: str, *, copies: int = 1) -> JobStatus:
        """Render the label of a container, lot or sample and queue it; the same call reprints any label.

        Returns the status of the (last) job queued. Raises NotFound,
        Ambiguous, LabelError or PrintQueueError; printer failures are not
        raised but reported through the queue's status callback.
        """
        content = self.content(identifier)
        fmt = self.queue.printer.format
        if fmt in ("png", "svg"):
            # One label per PNG or SVG file, so each copy is its own job.
            data = render_labels([content], self.options, fmt)
            statuses = [self.queue.submit(data, title=content.identifier) for _copy in range(copies)]
            return statuses[-1]
        data = render_labels([content], self.options, fmt, copies=copies, sheet=self.sheet)
        return self.queue.submit(data, title=content.identifier)

    def relabel_container(
        self,
        label_or_id: str,
        *,
        reason: str,
        operator_id: str,
        new_label: str | None = None,
        copies: int = 1,
    ) -> RelabelResult:
        """Record a new label on a container, then queue its sticker.

        The new label defaults to a fresh container id (``C-`` and 14
        characters); the old label keeps resolving to the container. Raises
        (with nothing recorded) NotFound, LabelError when the id is not a
        container's, and the store's errors (InvalidEvent, ActionRejected,
        StorageFull). Once the event is recorded, a label that cannot be
        rendered or queued is reported in ``print_error`` instead of raised.
        """
        with self.store.reading():
            resolved = resolve(lookup_identifier(label_or_id))
            if resolved.container_id is None:
                raise LabelError(
                    f"{label_or_id!r} names a {resolved.matched.replace('_', ' ')}, not a container; only containers are relabelled"
                )
            state = container_state(resolved.container_id)
        if state is None:
            raise LabelError(f"container {resolved.container_id!r} is not registered")
        label = new_label or new_short_id("C")
        body = {
            "container_id": state.container_id,
            "old_label": state.current_label,
            "new_label": label,
            "reason": reason,
        }
        event = self.store.record("container_relabelled", body, operator_id=operator_id)
        log.info(
            "Relabelled container %s from %s to %s (event %s)",
            state.container_id,
            state.current_label,
            label,
            event.event_id,
        )
        try:
            status = self.print_label(label, copies=copies)
        except (LabelError, PrintQueueError, StoreError) as error:
            log.error("Relabel event %s is recorded, but label %s was not queued: %s", event.event_id, label, error)
            return RelabelResult(event, state.container_id, state.current_label, label, None, str(error))
        return RelabelResult(event, state.container_id, state.current_label, label, status)
