"""Open or reseal a container: readings prefilled from the sensor or the last entry, one tap to confirm."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QGridLayout

from kiosk.ui import texts
from kiosk.ui.alerts import exposure_warnings
from kiosk.ui.context import Kiosk
from kiosk.ui.drafts import Readings, exposure_body
from kiosk.ui.entries import RELATIVE_HUMIDITY_PCT, TEMPERATURE_C, format_number, parse_number, parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import ContainerView
from kiosk.ui.readings import (
    LAST_READINGS_SETTING,
    SensorUnusable,
    prefill_readings,
    read_sensor_file,
    readings_to_remember,
    remembered_readings,
)
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import FieldButton, TouchButton, connect_tap, restyle, text_label
from sync.records import Event

log = logging.getLogger(__name__)


class ExposureScreen(Screen):
    """Confirms an open or a reseal; each reading is a field that opens the keypad when tapped."""

    keeps_draft = True

    def __init__(self, kiosk: Kiosk, view: ContainerView, *, opening: bool):
        title = self.tr("Open container {id}") if opening else self.tr("Reseal container {id}")
        super().__init__(kiosk, title.format(id=view.container_id), object_name="exposureScreen")
        self.view = view
        self.opening = opening
        self.readings = Readings()

        self.temperature = FieldButton(self.tr("Temperature °C"), object_name="fieldTemperature")
        self.humidity = FieldButton(self.tr("Humidity % RH"), object_name="fieldHumidity")
        self.location = FieldButton(self.tr("Place"), object_name="fieldLocation")
        self.control = TouchButton(object_name="fieldHumidityControl", role="field")
        self.control.setCheckable(True)
        connect_tap(self.temperature, self._on_temperature_tapped)
        connect_tap(self.humidity, self._on_humidity_tapped)
        connect_tap(self.location, self._on_location_tapped)
        connect_tap(self.control, self._on_control_tapped)
        grid = QGridLayout()
        grid.setSpacing(kiosk.metrics.spacing_px)
        grid.addWidget(self.temperature, 0, 0)
        grid.addWidget(self.humidity, 0, 1)
        grid.addWidget(self.location, 1, 0)
        grid.addWidget(self.control, 1, 1)
        self.body.addLayout(grid)
        self.source = text_label(role="muted", object_name="readingsSource")
        self.warning = text_label(object_name="exposureWarning")
        self.warning.hide()
        self.body.addWidget(self.source)
        self.body.addWidget(self.warning)
        self.body.addStretch(1)

        self.add_action(self.tr("Cancel"), self._on_cancel, role="secondary", object_name="exposureCancel")
        confirm = self.tr("Confirm open") if opening else self.tr("Confirm reseal")
        self.confirm = self.add_action(confirm, self._on_confirm, role="primary", object_name="exposureConfirm")
        self.confirm.setEnabled(False)
        self._show_readings()

    def on_shown(self) -> None:
        if self.confirm.isEnabled():
            return  # prefilled already; keep what the operator changed
        config = self.kiosk.config
        sensor_path = config.sensor_reading_file
        now = self.kiosk.now_utc_us()
        store = self.kiosk.store
        view = self.view

        def prefill() -> Readings:
            sensor = None
            if sensor_path:
                try:
                    sensor = read_sensor_file(Path(sensor_path), max_age_s=config.sensor_max_age_s, now_utc_us=now)
                except SensorUnusable as error:
                    log.warning("Sensor reading not used: %s", error)
            remembered = remembered_readings(store.get_setting(LAST_READINGS_SETTING))
            container_readings = None
            if view.last_ambient_temperature_c is not None and view.last_relative_humidity_pct is not None:
                container_readings = (view.last_ambient_temperature_c, view.last_relative_humidity_pct)
            return prefill_readings(
                sensor=sensor,
                remembered=remembered,
                container_readings=container_readings,
                container_location=view.storage_location,
                container_humidity_control=view.humidity_control_active,
                default_location=config.ui_storage_location,
            )

        self.read(prefill, self._on_prefilled)

    def _on_prefilled(self, readings: Readings) -> None:
        self.readings = readings
        self.confirm.setEnabled(True)
        self._show_readings()

    def _show_readings(self) -> None:
        readings = self.readings
        missing = set(readings.missing_fields())
        self.temperature.set_value(format_number(readings.ambient_temperature_c), placeholder=self.tr("tap to enter"))
        self.temperature.set_missing("ambient_temperature_c" in missing)
        self.humidity.set_value(format_number(readings.relative_humidity_pct), placeholder=self.tr("tap to enter"))
        self.humidity.set_missing("relative_humidity_pct" in missing)
        self.location.set_value(readings.storage_location, placeholder=self.tr("tap to enter"))
        self.location.set_missing("storage_location" in missing)
        self.control.setChecked(readings.humidity_control_active)
        on_off = self.tr("on") if readings.humidity_control_active else self.tr("off")
        self.control.setText(self.tr("Humidity control: {state}").format(state=on_off))
        sources = {
            "sensor": self.tr("Readings from the sensor. Tap a value to change it."),
            "last": self.tr("Readings as last entered at this station. Check them, tap a value to change it."),
            "container": self.tr("Readings as recorded for this container last. Check them, tap a value to change it."),
            "typed": self.tr("Readings as entered."),
            "none": self.tr("Enter the readings: tap each value."),
        }
        self.source.setText(sources.get(readings.source, ""))
        self._show_humidity_warning()

    def _show_humidity_warning(self) -> None:
        warnings = exposure_warnings(
            is_open=False,
            open_s=0.0,
            max_open_minutes=None,
            relative_humidity_pct=self.readings.relative_humidity_pct,
            rh_limit_pct=self.view.rh_limit_pct,
        )
        text = "\n".join(texts.exposure_warning(w) for w in warnings)
        self.warning.setText(text)
        self.warning.setProperty("level", "severe" if text else "")
        self.warning.setVisible(bool(text))
        restyle(self.warning)

    # --- Edits ------------------------------------------------------------------------

    def _typed(self) -> None:
        self.readings.source = "typed"
        self._show_readings()

    def _on_temperature_tapped(self) -> None:
        def accept(value: float) -> None:
            self.readings.ambient_temperature_c = value
            self._typed()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Ambient temperature in °C"),
                initial=format_number(self.readings.ambient_temperature_c),
                parse=lambda text: parse_number(text, TEMPERATURE_C),
                hint=self.tr("-40 to 80"),
                on_accept=accept,
            )
        )

    def _on_humidity_tapped(self) -> None:
        def accept(value: float) -> None:
            self.readings.relative_humidity_pct = value
            self._typed()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Relative humidity in %"),
                initial=format_number(self.readings.relative_humidity_pct),
                parse=lambda text: parse_number(text, RELATIVE_HUMIDITY_PCT),
                hint=self.tr("0 to 100"),
                on_accept=accept,
            )
        )

    def _on_location_tapped(self) -> None:
        def accept(value: str) -> None:
            self.readings.storage_location = value
            self._show_readings()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Place"),
                initial=self.readings.storage_location,
                mode="text",
                parse=parse_text,
                hint=self.tr("storage location or workstation"),
                on_accept=accept,
            )
        )

    def _on_control_tapped(self) -> None:
        self.readings.humidity_control_active = not self.readings.humidity_control_active
        self._show_readings()

    # --- Outcome ---------------------------------------------------------------------

    def _on_cancel(self) -> None:
        self.kiosk.open_flow("container", query=self.view.container_id)

    def _on_confirm(self) -> None:
        missing = self.readings.missing_fields()
        if missing:
            self.kiosk.message(self.tr("Enter the values marked in red first."), "rejected")
            self._show_readings()
            return
        kind = "container_opened" if self.opening else "container_resealed"
        self.record(kind, exposure_body(self.view.container_id, self.readings), self._on_recorded)

    def _on_recorded(self, event: Event) -> None:
        self.kiosk.message(texts.recorded(event.kind, self.view.container_id), "accepted")
        remembered = readings_to_remember(self.readings)
        store = self.kiosk.store
        self.kiosk.bridge.run(lambda: store.set_setting(LAST_READINGS_SETTING, remembered), lambda _result: None)
        self.kiosk.open_flow("container", query=self.view.container_id)
