"""Register an incoming lot: a supplier's label prefills it, the operator completes it, containers are created."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QGridLayout, QWidget

from kiosk.scan.payloads import Gs1Data, SupplierLotNumber
from kiosk.ui import texts
from kiosk.ui.choices import ChoiceRequest
from kiosk.ui.context import Kiosk
from kiosk.ui.drafts import LotDraft
from kiosk.ui.entries import CONTAINER_COUNT, MASS, format_number, parse_date, parse_number, parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import GradeChoice, previous_lot_with_gtin, reference_choices
from kiosk.ui.scans import Scan, supplier_fields
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import FieldButton, connect_tap, scroll_panel, text_label
from sync.kinds import KG_PER_UNIT, MATERIAL_ORIGINS
from sync.records import Event

PACKAGING_TYPES = ("steel drum", "plastic drum", "bottle", "bag", "canister", "IBC")


class RegisterLotScreen(Screen):
    """The lot's identity and containers as fields; scanning a supplier label fills what it carries."""

    keeps_draft = True

    def __init__(self, kiosk: Kiosk, *, scan: Scan | None = None):
        super().__init__(kiosk, self.tr("Register incoming lot"), object_name="registerLotScreen")
        self.draft = LotDraft(unit=kiosk.config.ui_mass_unit)
        self.grades: list[GradeChoice] = []
        self.hint = text_label(
            self.tr("Scan the supplier's label to fill in what it carries, then complete the rest."),
            role="muted",
            object_name="registerHint",
        )
        self.body.addWidget(self.hint)

        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(kiosk.metrics.spacing_px)
        self.fields: dict[str, FieldButton] = {}
        specs = [
            ("supplier", self.tr("Supplier"), self._edit_supplier),
            ("lot_number", self.tr("Supplier lot"), self._edit_lot_number),
            ("grade_id", self.tr("Grade"), self._edit_grade),
            ("internal_code", self.tr("Internal code"), self._edit_internal_code),
            ("packaging_type", self.tr("Packaging"), self._edit_packaging),
            ("material_origin", self.tr("Origin"), self._edit_origin),
            ("container_count", self.tr("Containers"), self._edit_count),
            ("net_mass", self.tr("Net mass each"), self._edit_mass),
            ("unit", self.tr("Unit"), self._edit_unit),
            ("production_date", self.tr("Produced"), self._edit_production_date),
            ("expiry_date", self.tr("Use by"), self._edit_expiry_date),
            ("gtin", self.tr("GTIN"), None),
        ]
        for index, (name, caption, handler) in enumerate(specs):
            field = FieldButton(caption, object_name=f"lotField-{name}")
            if handler is not None:
                connect_tap(field, handler)
            else:
                field.setEnabled(False)  # read from the supplier's label only
            grid.addWidget(field, index // 2, index % 2)
            self.fields[name] = field
        self.body.addWidget(scroll_panel(holder), 1)

        self.add_action(self.tr("Cancel"), kiosk.home, role="secondary", object_name="registerCancel")
        self.confirm = self.add_action(
            self.tr("Register lot"), self._on_confirm, role="primary", object_name="registerConfirm"
        )
        self._pending_scan = scan
        self._show_draft()

    def on_shown(self) -> None:
        if self.grades:
            return
        self.read(reference_choices, self._on_choices_loaded)

    def _on_choices_loaded(self, choices: object) -> None:
        self.grades = choices.grades  # type: ignore[attr-defined]
        if self._pending_scan is not None:
            scan, self._pending_scan = self._pending_scan, None
            self._apply_scan(scan)

    # --- Scans -----------------------------------------------------------------------

    def handle_scan(self, scan: Scan) -> bool:
        if not isinstance(scan.payload, Gs1Data | SupplierLotNumber):
            return False
        self.kiosk.scan_feedback(accepted=True, text=self.tr("Supplier label read"))
        self._apply_scan(scan)
        return True

    def _apply_scan(self, scan: Scan) -> None:
        fields = supplier_fields(scan.payload)
        draft = self.draft
        if fields.lot_number:
            draft.lot_number = fields.lot_number
        if fields.gtin:
            draft.gtin = fields.gtin
        if fields.production_date:
            draft.production_date = date.fromisoformat(fields.production_date)
        if fields.expiry_date:
            draft.expiry_date = date.fromisoformat(fields.expiry_date)
        if fields.net_mass_kg:
            draft.net_mass = round(fields.net_mass_kg / KG_PER_UNIT[draft.unit], 6)
        self._show_draft()
        if fields.gtin:
            gtin = fields.gtin
            self.read(lambda: previous_lot_with_gtin(gtin), self._on_previous_lot)

    def _on_previous_lot(self, body: dict[str, object] | None) -> None:
        """Fill what is still empty from the latest lot with the same GTIN: same product, same supplier."""
        if body is None:
            return
        draft = self.draft
        if not draft.supplier:
            draft.supplier = str(body["supplier"])
        if not draft.grade_id:
            draft.grade_id = str(body["grade_id"])
            draft.grade_version = int(body["grade_version"])  # type: ignore[call-overload]
        if not draft.internal_code:
            draft.internal_code = str(body["internal_code"])
        if not draft.packaging_type:
            draft.packaging_type = str(body["packaging_type"])
        containers = body.get("containers")
        if draft.net_mass is None and isinstance(containers, list) and containers:
            draft.net_mass = float(containers[0]["net_mass"])
            draft.unit = str(containers[0]["unit"])
        self._show_draft()

    # --- Fields ----------------------------------------------------------------------

    def _show_draft(self, *, mark_missing: bool = False) -> None:
        draft = self.draft
        values = {
            "supplier": draft.supplier,
            "lot_number": draft.lot_number,
            "grade_id": f"{draft.grade_id} v{draft.grade_version}" if draft.grade_id else "",
            "internal_code": draft.internal_code,
            "packaging_type": draft.packaging_type,
            "material_origin": texts.material_origin(draft.material_origin),
            "container_count": str(draft.container_count),
            "net_mass": format_number(draft.net_mass),
            "unit": draft.unit,
            "production_date": draft.production_date.isoformat() if draft.production_date else "",
            "expiry_date": draft.expiry_date.isoformat() if draft.expiry_date else "",
            "gtin": draft.gtin or "",
        }
        optional = self.tr("optional")
        for name, value in values.items():
            placeholder = optional if name in ("production_date", "expiry_date") else ""
            self.fields[name].set_value(value, placeholder=placeholder)
        missing = set(draft.missing_fields()) if mark_missing else set()
        for name, field in self.fields.items():
            field.set_missing(name in missing)

    def _ask_text(self, caption: str, current: str, setter: object) -> None:
        def accept(value: str) -> None:
            setter(value)  # type: ignore[operator]
            self._show_draft()

        self.kiosk.ask(EntryRequest(caption=caption, initial=current, mode="text", parse=parse_text, on_accept=accept))

    def _edit_supplier(self) -> None:
        self._ask_text(self.tr("Supplier"), self.draft.supplier, lambda value: setattr(self.draft, "supplier", value))

    def _edit_lot_number(self) -> None:
        self._ask_text(
            self.tr("Supplier lot number"),
            self.draft.lot_number,
            lambda value: setattr(self.draft, "lot_number", value),
        )

    def _edit_internal_code(self) -> None:
        self._ask_text(
            self.tr("Internal code"),
            self.draft.internal_code,
            lambda value: setattr(self.draft, "internal_code", value),
        )

    def _edit_grade(self) -> None:
        def choose(key: tuple[str, int]) -> None:
            self.draft.grade_id, self.draft.grade_version = key
            self._show_draft()

        choices = [((g.grade_id, g.version), f"{g.grade_id} v{g.version}: {g.name}") for g in self.grades]
        current = (self.draft.grade_id, self.draft.grade_version) if self.draft.grade_id else None
        self.kiosk.ask(ChoiceRequest(self.tr("Grade"), choices, choose, current=current))

    def _edit_packaging(self) -> None:
        other = "__other__"

        def choose(key: str) -> None:
            if key == other:
                self._ask_text(
                    self.tr("Packaging"),
                    self.draft.packaging_type,
                    lambda value: setattr(self.draft, "packaging_type", value),
                )
                return
            self.draft.packaging_type = key
            self._show_draft()

        choices = [(name, texts.packaging_type(name)) for name in PACKAGING_TYPES]
        choices.append((other, self.tr("Other: type it")))
        self.kiosk.ask(ChoiceRequest(self.tr("Packaging"), choices, choose, current=self.draft.packaging_type))

    def _edit_origin(self) -> None:
        def choose(key: str) -> None:
            self.draft.material_origin = key
            self._show_draft()

        choices = [(origin, texts.material_origin(origin)) for origin in MATERIAL_ORIGINS]
        self.kiosk.ask(ChoiceRequest(self.tr("Material origin"), choices, choose, current=self.draft.material_origin))

    def _edit_count(self) -> None:
        def accept(value: float) -> None:
            self.draft.container_count = int(value)
            self._show_draft()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Number of containers"),
                initial=str(self.draft.container_count),
                parse=lambda text: parse_number(text, CONTAINER_COUNT),
                hint=self.tr("1 to {maximum:g}").format(maximum=CONTAINER_COUNT.maximum),
                on_accept=accept,
            )
        )

    def _edit_mass(self) -> None:
        def accept(value: float) -> None:
            self.draft.net_mass = value
            self._show_draft()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Net mass of each container in {unit}").format(unit=self.draft.unit),
                initial=format_number(self.draft.net_mass),
                parse=lambda text: parse_number(text, MASS),
                on_accept=accept,
            )
        )

    def _edit_unit(self) -> None:
        def choose(key: str) -> None:
            self.draft.unit = key
            self._show_draft()

        self.kiosk.ask(
            ChoiceRequest(self.tr("Mass unit"), [(unit, unit) for unit in KG_PER_UNIT], choose, current=self.draft.unit)
        )

    def _edit_date(self, caption: str, current: date | None, setter: object) -> None:
        def accept(value: date | None) -> None:
            setter(value)  # type: ignore[operator]
            self._show_draft()

        self.kiosk.ask(
            EntryRequest(
                caption=caption,
                initial=current.isoformat() if current else "",
                mode="date",
                parse=parse_date,
                hint=self.tr("YYYY-MM-DD; leave empty if not printed"),
                allow_empty=True,
                on_accept=accept,
            )
        )

    def _edit_production_date(self) -> None:
        self._edit_date(
            self.tr("Production date"),
            self.draft.production_date,
            lambda value: setattr(self.draft, "production_date", value),
        )

    def _edit_expiry_date(self) -> None:
        self._edit_date(
            self.tr("Use-by date"), self.draft.expiry_date, lambda value: setattr(self.draft, "expiry_date", value)
        )

    # --- Outcome -----------------------------------------------------------------------

    def _on_confirm(self) -> None:
        if self.draft.missing_fields():
            self._show_draft(mark_missing=True)
            self.kiosk.message(self.tr("Fill in the fields marked in red first."), "rejected")
            return
        self.record("lot_registered", self.draft.body(), self._on_recorded)

    def _on_recorded(self, event: Event) -> None:
        draft = self.draft
        self.kiosk.message(texts.recorded(event.kind, draft.lot_id), "accepted")
        self.kiosk.open_flow(
            "labels",
            identifiers=list(draft.container_ids),
            title=self.tr("Lot {lot} registered: print the container labels").format(lot=draft.lot_id),
        )
