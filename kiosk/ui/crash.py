"""Crash handling for the station app: uncaught exceptions, Qt's own messages, and native crashes.

An uncaught exception is a bug: it is logged with its traceback, a message
is shown to the operator, and the app exits with `EXIT_CRASH` so the service manager
restarts it. `faulthandler` writes a trace if Qt or OpenCV crashes natively.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QObject, QTimer, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

EXIT_CRASH = 70  # EX_SOFTWARE in sysexits.h: an internal software error.
# Long enough to read the message, short enough for the station to be back soon.
CRASH_MESSAGE_MS = 3000
# Qt repeats some warnings per frame or per paint; log each text at most this often.
QT_MESSAGE_REPEAT_LIMIT = 20

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


class CrashHandler(QObject):
    """The `sys.excepthook` and `threading.excepthook` of the station app: log, tell the operator, exit non-zero.

    Callable from any thread: the operator message and the exit run on the GUI thread.
    """

    _crash_requested = Signal()

    def __init__(self, app: QApplication, *, tell_operator: Callable[[], None]):
        super().__init__()
        self._app = app
        self._tell_operator = tell_operator
        self._lock = threading.Lock()
        self.crashed = False
        self._crash_requested.connect(self._on_crash_requested)

    def __call__(self, kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            log.info("Interrupted; stopping the kiosk")
            self._app.exit(130)
            return
        log.critical(
            "Uncaught exception in thread %s; the kiosk exits for a restart",
            threading.current_thread().name,
            exc_info=(kind, error, traceback),
        )
        with self._lock:
            if self.crashed:
                return  # a second error while exiting: logged, and the exit is already scheduled
            self.crashed = True
        self._crash_requested.emit()

    def _on_crash_requested(self) -> None:
        try:
            self._tell_operator()
        except Exception:
            log.exception("The crash message could not be shown")
        QTimer.singleShot(CRASH_MESSAGE_MS, lambda: self._app.exit(EXIT_CRASH))


def install_crash_handler(app: QApplication, *, tell_operator: Callable[[], None]) -> CrashHandler:
    """Route uncaught exceptions of every thread to a `CrashHandler`, turn on faulthandler; return the handler."""
    faulthandler.enable(file=sys.stderr, all_threads=True)
    handler = CrashHandler(app, tell_operator=tell_operator)
    sys.excepthook = handler

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        handler(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    threading.excepthook = thread_hook
    return handler


# WORKAROUND: the offscreen platform of Qt 6.11 and 6.12 (smoke tests, screenshots) warns on every
# window resize that it "does not support propagateSizeHints()". Nothing is wrong, so it is logged at DEBUG.
HARMLESS_QT_MESSAGES = frozenset({"This plugin does not support propagateSizeHints()"})


def install_qt_message_handler() -> None:
    """Send Qt's own warnings and errors to the ``qt`` logger, each text at most a few times."""
    counts: dict[str, int] = {}

    def handler(message_type: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message in HARMLESS_QT_MESSAGES:
            qt_log.debug("%s", message)
            return
        count = counts.get(message, 0) + 1
        counts[message] = count
        if count > QT_MESSAGE_REPEAT_LIMIT:
            return
        level = _QT_LEVELS.get(message_type, logging.WARNING)
        suffix = " (repeated too often; no longer logged)" if count == QT_MESSAGE_REPEAT_LIMIT else ""
        qt_log.log(level, "%s%s", message, suffix)

    qInstallMessageHandler(handler)
