"""The server's one error shape, and the handlers that turn every failure into it.

    {"error": {"status": 422, "code": "invalid_events", "message": "...", "details": [...], "retry_after_s": null}}

Overload and an unreachable database get 503 (429 for a station sending
batches faster than they are handled) with a ``Retry-After`` header.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.errors import Ambiguous, NotFound
from sync.server.storage import StorageBusy, StorageUnavailable

log = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error response of the server: HTTP status, code, sentence, problems, optional retry delay."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        retry_after_s: int | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.details = details or []
        self.retry_after_s = retry_after_s


def error_response(error: ApiError) -> JSONResponse:
    """Return the JSON response for an ApiError, with Retry-After when it has a delay."""
    body = {
        "error": {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "details": error.details,
            "retry_after_s": error.retry_after_s,
        }
    }
    headers = {"Retry-After": str(error.retry_after_s)} if error.retry_after_s is not None else None
    if error.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="powder-lineage"'}
    return JSONResponse(body, status_code=error.status, headers=headers)


def install_error_handlers(app: FastAPI, *, retry_after_s: int) -> None:
    """Return every error of the app in the one shape, including routing and validation errors."""

    @app.exception_handler(ApiError)
    async def _on_api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = str(error.detail)
        if error.status_code == 404:
            message = f"no such endpoint: {request.method} {request.url.path}; see /openapi.json"
        elif error.status_code == 405:
            message = f"method {request.method} is not allowed on {request.url.path}; see /openapi.json"
        return error_response(ApiError(error.status_code, message))

    @app.exception_handler(RequestValidationError)
    async def _on_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {
                "location": ".".join(str(part) for part in item.get("loc", ())),
                "value": _json_safe(item.get("input")),
                "rule": item.get("msg", "invalid"),
            }
            for item in error.errors()
        ]
        return error_response(ApiError(422, "the request is invalid; see details", details=details))

    @app.exception_handler(StorageBusy)
    async def _on_busy(request: Request, error: StorageBusy) -> JSONResponse:
        log.warning("Responded 503 to %s %s: %s", request.method, request.url.path, error)
        return error_response(ApiError(503, str(error), code="database_busy", retry_after_s=retry_after_s))

    @app.exception_handler(StorageUnavailable)
    async def _on_unavailable(request: Request, error: StorageUnavailable) -> JSONResponse:
        log.error("Responded 503 to %s %s: %s", request.method, request.url.path, error)
        return error_response(ApiError(503, str(error), code="database_unavailable", retry_after_s=retry_after_s * 2))

    @app.exception_handler(NotFound)
    async def _on_not_found(request: Request, error: NotFound) -> JSONResponse:
        return error_response(ApiError(404, str(error)))

    @app.exception_handler(Ambiguous)
    async def _on_ambiguous(request: Request, error: Ambiguous) -> JSONResponse:
        return error_response(ApiError(409, str(error), code="ambiguous_id"))

    @app.exception_handler(Exception)
    async def _on_bug(request: Request, error: Exception) -> JSONResponse:
        log.error("Internal error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(ApiError(500, "internal server error; the server log has the details"))


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
