"""Admission control for batch ingest: overload gets 429 or 503 with Retry-After, and no work is dropped.

One worker process handles at most ``slots`` batches at once; a batch that
cannot start within ``wait_s`` gets 503. A station that sends a second batch
while its first is still being handled (to this worker) gets 429: its events
are ordered by sequence number, so concurrent batches of one station only
race each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sync.server.errors import ApiError


class Admission:
    """Bounds concurrent batch ingest in one worker process. Use only from the event loop."""

    def __init__(self, *, slots: int, wait_s: float, retry_after_s: int):
        self._slots = slots
        self._semaphore: asyncio.Semaphore | None = None
        self._wait_s = wait_s
        self._retry_after_s = retry_after_s
        self._stations_in_flight: set[str] = set()
        self.rejected_busy = 0
        self.rejected_station_busy = 0

    @asynccontextmanager
    async def batch(self, station_id: str) -> AsyncIterator[None]:
        """Hold an ingest slot for one batch of a station; raise ApiError 429 or 503 when none is free."""
        if self._semaphore is None:
            # Made here, on the event loop that will use it.
            self._semaphore = asyncio.Semaphore(self._slots)
        if station_id in self._stations_in_flight:
            self.rejected_station_busy += 1
            raise ApiError(
                429,
                f"station {station_id} already has a batch being stored; send the next one after it is answered",
                code="station_batch_in_flight",
                retry_after_s=1,
            )
        self._stations_in_flight.add(station_id)
        try:
            try:
                await asyncio.wait_for(self._semaphore.acquire(), timeout=self._wait_s)
            except TimeoutError:
                self.rejected_busy += 1
                raise ApiError(
                    503,
                    "the server is busy storing other batches; retry after the delay given",
                    code="server_busy",
                    retry_after_s=self._retry_after_s,
                ) from None
            try:
                yield
            finally:
                self._semaphore.release()
        finally:
            self._stations_in_flight.discard(station_id)
