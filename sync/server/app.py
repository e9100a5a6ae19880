"""The server's FastAPI application: `create_app(settings)` opens the database and mounts the API.

Workers are stateless: everything they share lives in the database, so
several worker processes on one PostgreSQL database behave as one server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sync.migrations import current_version
from sync.protocol import PROTOCOL_VERSION
from sync.server.admission import Admission
from sync.server.errors import ApiError, install_error_handlers
from sync.server.routes import router
from sync.server.settings import ServerSettings
from sync.server.storage import ServerStorage, StorageUnavailable, storage_info
from sync.server.tables import SERVER

log = logging.getLogger(__name__)

VERSION = "0.1.0"


def create_app(settings: ServerSettings) -> FastAPI:
    """Build the app; the database is opened when the app starts and closed when it stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        storage = ServerStorage.open(settings.db, pool_size=settings.pool_size, lock_timeout_s=settings.lock_timeout_s)
        try:
            if storage.read(lambda: current_version(storage.db, SERVER.name)) is None:
                # Started without the CLI (which migrates before forking workers).
                storage.migrate()
            app.state.receipt_key = storage.ensure_receipt_key(settings.receipt_key_file or None)
            app.state.storage = storage
            yield
        finally:
            storage.close()

    app = FastAPI(
        title="Powder Lineage server",
        version=VERSION,
        description="Central records of every station: batch ingest, pull, lot timelines, station status.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.admission = Admission(
        slots=settings.max_concurrent_batches, wait_s=settings.queue_wait_s, retry_after_s=settings.retry_after_s
    )
    install_error_handlers(app, retry_after_s=settings.retry_after_s)
    app.include_router(router)

    @app.get("/health", summary="Ready when the database answers")
    async def health(request: Request) -> JSONResponse:
        storage: ServerStorage = request.app.state.storage
        try:
            versions = await run_in_threadpool(storage.read, lambda: _schema_versions(storage))
        except StorageUnavailable as error:
            raise ApiError(
                503, f"the database is not reachable: {error}", retry_after_s=settings.retry_after_s
            ) from error
        return JSONResponse(
            {
                "status": "ok",
                "version": VERSION,
                "protocol": PROTOCOL_VERSION,
                "schema": versions,
                **storage_info(storage),
            }
        )

    return app


def _schema_versions(storage: ServerStorage) -> dict[str, Any]:
    return {name: current_version(storage.db, name) for name in ("store", SERVER.name)}


def create_app_from_env() -> FastAPI:
    """Build the app from $LINEAGE_SERVER_SETTINGS: the factory each uvicorn worker process calls."""
    settings = ServerSettings.from_env()
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
    )
    return create_app(settings)
