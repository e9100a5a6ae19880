"""The bridge: worker callbacks arrive as signals on the GUI thread, job outcomes reach their callbacks."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.bridge import WorkerBridge
from tests.helpers import ROOT


def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        QApplication.processEvents()
        time.sleep(0.005)


def test_worker_scan_arrives_on_gui_thread(qtbot: QtBot) -> None:
    bridge = WorkerBridge()
    seen: list[tuple[object, str]] = []
    bridge.scan_received.connect(lambda result: seen.append((result, threading.current_thread().name)))
    worker = threading.Thread(target=bridge.on_scan, args=("PL1:C:C-1",), name="capture")
    with qtbot.waitSignal(bridge.scan_received, timeout=2000):
        worker.start()
    worker.join()
    bridge.close()
    assert seen == [("PL1:C:C-1", threading.main_thread().name)]


def test_job_result_and_error_callbacks(qtbot: QtBot) -> None:
    bridge = WorkerBridge()
    results: list[object] = []
    errors: list[BaseException] = []
    bridge.run(lambda: threading.current_thread().name, results.append)
    bridge.run(lambda: 1 / 0, results.append, errors.append)
    wait_until(lambda: bridge.is_idle)
    bridge.close()
    assert results == ["kiosk-tasks"]
    assert [type(error) for error in errors] == [ZeroDivisionError]


def test_unhandled_job_error_signalled(qtbot: QtBot) -> None:
    bridge = WorkerBridge()
    with qtbot.waitSignal(bridge.job_failed, timeout=2000) as blocker:
        bridge.run(lambda: int("not a number"), lambda _result: None)
    bridge.close()
    assert isinstance(blocker.args[0], ValueError)


EMITS = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Source(QObject):
    fired = Signal(object)

app = QCoreApplication([])
source = Source()
source.fired.connect(lambda value: None)
before = sys.getrefcount(True)
for _ in range(5000):
    source.fired.emit(1)
print(sys.getrefcount(True) - before)
"""


def test_many_emits_keep_true_alive() -> None:
    # PySide6 6.12.0 drops a reference to True on every emit(); the process then dies with
    # "bool_dealloc" after a few hundred emits. Run apart, so that failure cannot end this run.
    result = subprocess.run([sys.executable, "-c", EMITS], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert abs(int(result.stdout.strip())) < 50
