"""`lineage-kiosk --demo`: a throwaway store with a plant's history, demo lots the demo video shows, and its settings.

No Qt here.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from kiosk.config import default_data_dir
from kiosk.ui.demo_media import DEMO_CONTAINERS, DEMO_MEDIA
from sync.demo import write_demo_history
from sync.records import now_local
from sync.store import Store

log = logging.getLogger(__name__)

DEMO_EVENTS = 1500
DEMO_SEED = 1
DEMO_OPERATOR = "OP-0001"

# Settings that --demo changes; the station's own file and flags still apply on top.
DEMO_SETTINGS: dict[str, Any] = {
    "camera_source": str(DEMO_MEDIA),
    "ui_storage_location": "Store A, rack 2",
    "ui_sample_location": "QC bench",
    "printer_kind": "file",
    # The demo sensor's reading is written once at start; a day's age limit keeps it usable all demo long.
    "sensor_max_age_s": 86_400.0,
}
DEMO_SENSOR_READING = {"ambient_temperature_c": 22.5, "relative_humidity_pct": 36.0}

# Two lots made for the demo video: a virgin lot with three containers and recovered powder with one,
# so a newcomer can open, reseal, blend and sample them by touch.
DEMO_LOTS: list[dict[str, Any]] = [
    {
        "lot_id": "L-DEMO-TI64",
        "lot_number": "AP-24-0815",
        "supplier": "Acme Powders",
        "grade_id": "TI64-G23",
        "grade_version": 1,
        "internal_code": "TI64-STD",
        "packaging_type": "steel drum",
        "material_origin": "virgin",
        "containers": [{"container_id": c, "net_mass": 25.0, "unit": "kg"} for c in DEMO_CONTAINERS[:3]],
    },
    {
        "lot_id": "L-DEMO-RECY",
        "lot_number": "REC-0042",
        "supplier": "Powder recovery line",
        "grade_id": "TI64-G23",
        "grade_version": 1,
        "internal_code": "TI64-REC",
        "packaging_type": "steel drum",
        "material_origin": "recycled",
        "containers": [{"container_id": DEMO_CONTAINERS[3], "net_mass": 10.0, "unit": "kg"}],
    },
]


def demo_folder() -> Path:
    """Return the folder of the demo store, its printed labels and print queue: <data dir>/demo."""
    return default_data_dir() / "demo"


def write_demo_sensor(folder: Path) -> Path:
    """Write a sensor reading as a station's sensor daemon would (format in `kiosk.ui.readings`); return its path."""
    path = folder / "sensor.json"
    reading = {**DEMO_SENSOR_READING, "measured_at": now_local().isoformat(timespec="seconds")}
    path.write_text(json.dumps(reading), encoding="utf-8")
    return path


def make_demo_store(folder: Path | None = None) -> Path:
    """Write the demo plant history and the demo lots into a new store, with a sensor reading beside it.

    Returns the store's path; the sensor file is ``sensor.json`` in the same folder.

    The folder (by default `demo_folder`) is emptied first: each demo starts
    from the same history, and the last demo's store stays readable with
    `lineage timeline ... --db PATH` until the next one starts.
    """
    folder = folder or demo_folder()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / "demo-station.db"
    write_demo_sensor(folder)
    summary = write_demo_history(path, events=DEMO_EVENTS, seed=DEMO_SEED)
    log.info("Demo store %s: %s", path, summary)
    with Store.open(path) as store:
        for body in DEMO_LOTS:
            store.record("lot_registered", body, operator_id=DEMO_OPERATOR)
    return path
