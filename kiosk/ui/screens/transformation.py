"""Transformation: step, machine or line, scanned inputs with masses, outputs, parameters, and the blend before confirming."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.scan.payloads import LabelKind, ProjectLabel, SupplierLotNumber
from kiosk.ui import texts
from kiosk.ui.choices import ChoiceRequest
from kiosk.ui.context import Kiosk
from kiosk.ui.drafts import InputLine, OutputLine, TransformationDraft
from kiosk.ui.entries import (
    DURATION_MIN,
    MASS,
    PROCESS_TEMPERATURE_C,
    RECYCLE_FRACTION_PCT,
    SCREEN_MESH_UM,
    NumberSpec,
    format_number,
    parse_number,
    parse_text,
)
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import ContainerView, ReferenceChoices, load_container, recycled_share_of_lots, reference_choices
from kiosk.ui.scans import Scan
from kiosk.ui.screens.base import Screen
from kiosk.ui.screens.register_lot import PACKAGING_TYPES
from kiosk.ui.widgets import (
    ChoiceGrid,
    FieldButton,
    TouchButton,
    clear_layout,
    connect_tap,
    scroll_panel,
    text_label,
)
from sync.kinds import KG_PER_UNIT, TRANSFORMATION_STEPS
from sync.records import Event

# Equipment kinds that serve each step, listed first when that step is chosen.
STEP_EQUIPMENT_KINDS = {
    "drying": ("dryer",),
    "milling": ("mill",),
    "sieving": ("sieve",),
    "blending": ("blender",),
    "separation": ("separator",),
    "recycling": ("line", "sieve", "separator"),
}
PAGES = ("step", "equipment", "inputs", "outputs", "parameters", "review")


class TransformationScreen(Screen):
    """A six-page flow in one screen; Back and Next move between pages, Confirm records on the last."""

    keeps_draft = True

    def __init__(self, kiosk: Kiosk):
        super().__init__(kiosk, self.tr("Transformation"), object_name="transformationScreen")
        self.draft = TransformationDraft()
        self.unit = kiosk.config.ui_mass_unit
        self.choices: ReferenceChoices | None = None
        # Grade of each input lot, to offer it for the new lot when all inputs share one.
        self.input_grades: dict[str, tuple[str, int]] = {}
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self._build_step_page()
        self._build_equipment_page()
        self._build_inputs_page()
        self._build_outputs_page()
        self._build_parameters_page()
        self._build_review_page()

        self.add_action(self.tr("Cancel"), kiosk.home, role="secondary", object_name="transformationCancel")
        self.back_button = self.add_action(self.tr("Back"), self._on_back, object_name="transformationBack")
        self.next_button = self.add_action(
            self.tr("Next"), self._on_next, role="primary", object_name="transformationNext"
        )
        self._go_to("step")

    # --- Pages ---------------------------------------------------------------------------

    def _page(self) -> QVBoxLayout:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(page)
        return layout

    def _build_step_page(self) -> None:
        layout = self._page()
        self.step_grid = ChoiceGrid(columns=4)
        self.step_grid.set_choices(
            [(step, texts.step_name(step)) for step in TRANSFORMATION_STEPS], object_prefix="step"
        )
        self.step_grid.chosen.connect(self._on_step_chosen)
        layout.addWidget(self.step_grid)
        layout.addStretch(1)

    def _build_equipment_page(self) -> None:
        layout = self._page()
        self.equipment_grid = ChoiceGrid(columns=2)
        self.equipment_grid.chosen.connect(self._on_equipment_chosen)
        layout.addWidget(scroll_panel(self.equipment_grid), 1)

    def _build_inputs_page(self) -> None:
        layout = self._page()
        layout.addWidget(text_label(self.tr("Scan each input container; enter the mass taken from it."), role="muted"))
        self.inputs_holder = QWidget()
        self.inputs_list = QVBoxLayout(self.inputs_holder)
        self.inputs_list.setContentsMargins(0, 0, 0, 0)
        self.inputs_list.addStretch(1)
        layout.addWidget(scroll_panel(self.inputs_holder), 1)
        row = QGridLayout()
        type_label = TouchButton(self.tr("Type a label"), role="secondary", object_name="inputTypeLabel")
        connect_tap(type_label, lambda: self._ask_label(self._add_input_by_id))
        self.unit_field = FieldButton(self.tr("Unit"), object_name="transformationUnit")
        connect_tap(self.unit_field, self._edit_unit)
        row.addWidget(type_label, 0, 0)
        row.addWidget(self.unit_field, 0, 1)
        layout.addLayout(row)

    def _build_outputs_page(self) -> None:
        layout = self._page()
        self.outputs_holder = QWidget()
        self.outputs_list = QVBoxLayout(self.outputs_holder)
        self.outputs_list.setContentsMargins(0, 0, 0, 0)
        self.outputs_list.addStretch(1)
        grid = QGridLayout()
        add_new = TouchButton(self.tr("New container"), object_name="outputAddNew")
        connect_tap(add_new, self._on_add_new_output)
        add_existing = TouchButton(self.tr("Type an existing label"), role="secondary", object_name="outputTypeLabel")
        connect_tap(add_existing, lambda: self._ask_label(self._add_output_by_id))
        grid.addWidget(add_new, 0, 0)
        grid.addWidget(add_existing, 0, 1)
        self.new_lot_grade = FieldButton(self.tr("New lot grade"), object_name="newLotGrade")
        self.new_lot_code = FieldButton(self.tr("Internal code"), object_name="newLotCode")
        self.new_lot_packaging = FieldButton(self.tr("Packaging"), object_name="newLotPackaging")
        connect_tap(self.new_lot_grade, self._edit_new_lot_grade)
        connect_tap(self.new_lot_code, self._edit_new_lot_code)
        connect_tap(self.new_lot_packaging, self._edit_new_lot_packaging)
        holder = QWidget()
        content = QVBoxLayout(holder)
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(
            text_label(
                self.tr("Add new containers of the new lot, or scan existing containers the output goes into."),
                role="muted",
            )
        )
        content.addLayout(grid)
        content.addWidget(self.outputs_holder)
        self.new_lot_box = QWidget()
        new_lot = QGridLayout(self.new_lot_box)
        new_lot.setContentsMargins(0, 0, 0, 0)
        new_lot.addWidget(self.new_lot_grade, 0, 0)
        new_lot.addWidget(self.new_lot_code, 0, 1)
        new_lot.addWidget(self.new_lot_packaging, 1, 0)
        content.addWidget(self.new_lot_box)
        content.addStretch(1)
        layout.addWidget(scroll_panel(holder), 1)

    def _build_parameters_page(self) -> None:
        layout = self._page()
        grid = QGridLayout()
        self.parameter_fields = {
            "screen_mesh_um": FieldButton(self.tr("Screen mesh µm"), object_name="paramMesh"),
            "temperature_c": FieldButton(self.tr("Temperature °C"), object_name="paramTemperature"),
            "duration_min": FieldButton(self.tr("Duration min"), object_name="paramDuration"),
            "recycle_fraction_pct": FieldButton(self.tr("Recycled %"), object_name="paramRecycle"),
        }
        specs: dict[str, NumberSpec] = {
            "screen_mesh_um": SCREEN_MESH_UM,
            "temperature_c": PROCESS_TEMPERATURE_C,
            "duration_min": DURATION_MIN,
            "recycle_fraction_pct": RECYCLE_FRACTION_PCT,
        }
        for index, (name, field) in enumerate(self.parameter_fields.items()):
            connect_tap(field, partial(self._edit_parameter, name, specs[name]))
            grid.addWidget(field, index // 2, index % 2)
        layout.addWidget(text_label(self.tr("Parameters that matter; leave empty what was not set."), role="muted"))
        layout.addLayout(grid)
        self.recycle_note = text_label(role="muted", object_name="recycleNote")
        layout.addWidget(self.recycle_note)
        layout.addStretch(1)

    def _build_review_page(self) -> None:
        layout = self._page()
        self.review = text_label(object_name="transformationReview")
        self.review.setTextFormat(Qt.TextFormat.PlainText)
        self.review.setProperty("role", "panel")
        self.review.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(scroll_panel(self.review), 1)

    # --- Navigation -------------------------------------------------------------------------

    @property
    def page_name(self) -> str:
        """The page shown: step, equipment, inputs, outputs, parameters or review."""
        return PAGES[self.pages.currentIndex()]

    def _go_to(self, name: str) -> None:
        self.pages.setCurrentIndex(PAGES.index(name))
        titles = {
            "step": self.tr("Transformation: which step?"),
            "equipment": self.tr("{step}: which machine or line?"),
            "inputs": self.tr("{step}: input containers"),
            "outputs": self.tr("{step}: outputs"),
            "parameters": self.tr("{step}: parameters"),
            "review": self.tr("{step}: check and confirm"),
        }
        self.title.setText(titles[name].format(step=texts.step_name(self.draft.step)))
        self.back_button.setVisible(name != "step")
        self.next_button.setVisible(name != "step")
        self.next_button.setText(self.tr("Confirm") if name == "review" else self.tr("Next"))
        self.next_button.setObjectName("transformationConfirm" if name == "review" else "transformationNext")
        if name == "inputs":
            self._show_inputs()
        elif name == "outputs":
            self._show_outputs()
        elif name == "parameters":
            self._show_parameters()
        elif name == "review":
            self._show_review()

    def _on_back(self) -> None:
        index = self.pages.currentIndex()
        if index > 0:
            self._go_to(PAGES[index - 1])

    def _on_next(self) -> None:
        name = self.page_name
        missing = self.draft.missing_fields()
        page_needs = {
            "equipment": {"equipment_id"},
            "inputs": {"inputs", "input_mass"},
            "outputs": {"outputs", "output_mass", "new_lot_grade", "new_lot_internal_code", "new_lot_packaging_type"},
        }
        blocking = [item for item in missing if item in page_needs.get(name, set())]
        if blocking:
            self.kiosk.message(self._missing_text(blocking[0]), "rejected")
            return
        if name == "review":
            self._on_confirm()
            return
        self._go_to(PAGES[PAGES.index(name) + 1])

    def _missing_text(self, item: str) -> str:
        messages = {
            "equipment_id": self.tr("Choose the machine or line."),
            "inputs": self.tr("Scan at least one input container."),
            "input_mass": self.tr("Enter the mass of every input."),
            "outputs": self.tr("Add at least one output container."),
            "output_mass": self.tr("Enter the mass of every output."),
            "new_lot_grade": self.tr("Choose the new lot's grade."),
            "new_lot_internal_code": self.tr("Enter the new lot's internal code."),
            "new_lot_packaging_type": self.tr("Choose the new lot's packaging."),
        }
        return messages.get(item, item)

    def on_shown(self) -> None:
        if self.choices is None:
            self.read(reference_choices, self._on_choices_loaded)

    def _on_choices_loaded(self, choices: ReferenceChoices) -> None:
        self.choices = choices

    # --- Step and equipment --------------------------------------------------------------------

    def _on_step_chosen(self, step: str) -> None:
        self.draft.step = step
        equipment = self.choices.equipment if self.choices is not None else []
        kinds = STEP_EQUIPMENT_KINDS.get(step, ())
        ordered = sorted(equipment, key=lambda item: (item.kind not in kinds, item.equipment_id))
        self.equipment_grid.set_choices(
            [(item.equipment_id, f"{item.equipment_id}: {item.name}") for item in ordered], object_prefix="equipment"
        )
        if self.draft.equipment_id:
            self.equipment_grid.select(self.draft.equipment_id)
        self._go_to("equipment")

    def _on_equipment_chosen(self, equipment_id: str) -> None:
        self.draft.equipment_id = equipment_id
        self._go_to("inputs")

    # --- Inputs ---------------------------------------------------------------------------------

    def handle_scan(self, scan: Scan) -> bool:
        if self.page_name not in ("inputs", "outputs"):
            return False
        payload = scan.payload
        is_container = isinstance(payload, ProjectLabel) and payload.label_kind == LabelKind.CONTAINER
        if not (is_container or isinstance(payload, SupplierLotNumber)):
            return False
        identifier = scan.identifier or ""
        if self.page_name == "inputs":
            self._add_input_by_id(identifier, scan=scan)
        else:
            self._add_output_by_id(identifier, scan=scan)
        return True

    def _ask_label(self, then: object) -> None:
        self.kiosk.ask(
            EntryRequest(caption=self.tr("Container label"), mode="text", parse=parse_text, on_accept=then)  # type: ignore[arg-type]
        )

    def _load_container(self, identifier: str, on_loaded: object, scan: Scan | None) -> None:
        now = self.kiosk.now_utc_us()

        def failed(error: BaseException) -> None:
            text = str(error)
            if scan is not None:
                self.kiosk.scan_feedback(accepted=False, text=texts.scan_rejected(text))
            else:
                self.kiosk.message(text, "rejected")

        def loaded(result: tuple[ContainerView, float]) -> None:
            if scan is not None:
                self.kiosk.scan_feedback(
                    accepted=True, text=self.tr("Container {id}").format(id=result[0].container_id)
                )
            on_loaded(*result)  # type: ignore[operator]

        def load() -> tuple[ContainerView, float]:
            view = load_container(identifier, now_utc_us=now)
            share = recycled_share_of_lots([view.lot_id]).get(view.lot_id, 0.0)
            return view, share

        self.read(load, loaded, failed)

    def _add_input_by_id(self, identifier: str, *, scan: Scan | None = None) -> None:
        self._load_container(identifier, self._on_input_loaded, scan)

    def _on_input_loaded(self, view: ContainerView, recycled_share: float) -> None:
        if view.grade_id:
            self.input_grades[view.lot_id] = (view.grade_id, view.grade_version)
        line = self.draft.add_input(view.container_id, view.lot_id, recycled_share=recycled_share)
        line.unit = self.unit
        self._show_inputs()
        if line.mass is None:
            self._edit_line_mass(line, self.tr("Mass taken from {container} in {unit}"))

    def _show_inputs(self) -> None:
        self._fill_lines(self.inputs_list, self.draft.inputs, "input", self.tr("Mass taken from {container} in {unit}"))
        self.unit_field.set_value(self.unit)

    def _fill_lines(
        self, layout: QVBoxLayout, lines: Sequence[InputLine | OutputLine], prefix: str, caption: str
    ) -> None:
        clear_layout(layout, keep_last=1)
        for index, line in enumerate(lines):
            new = self.tr(" (new)") if isinstance(line, OutputLine) and line.is_new_container else ""
            field = FieldButton(
                self.tr("{container}{new} · lot {lot}").format(container=line.container_id, new=new, lot=line.lot_id),
                object_name=f"{prefix}Line{index}",
            )
            field.set_value(
                f"{format_number(line.mass)} {line.unit}" if line.mass is not None else "", placeholder=self.tr("mass?")
            )
            field.set_missing(line.mass is None)
            connect_tap(field, partial(self._edit_line_mass, line, caption))
            layout.insertWidget(index, field)

    def _edit_line_mass(self, line: InputLine | OutputLine, caption: str) -> None:
        def accept(value: float | None) -> None:
            if value is None:
                self._remove_line(line)
            else:
                line.mass = value
            if isinstance(line, InputLine):
                self._show_inputs()
            else:
                self._show_outputs()

        self.kiosk.ask(
            EntryRequest(
                caption=caption.format(container=line.container_id, unit=line.unit),
                initial=format_number(line.mass),
                parse=lambda text: parse_number(text, MASS),
                hint=self.tr("Leave empty and OK to remove this line."),
                allow_empty=True,
                on_accept=accept,
            )
        )

    def _remove_line(self, line: InputLine | OutputLine) -> None:
        if isinstance(line, InputLine):
            self.draft.inputs = [item for item in self.draft.inputs if item is not line]
        else:
            self.draft.outputs = [item for item in self.draft.outputs if item is not line]

    def _edit_unit(self) -> None:
        def choose(unit: str) -> None:
            self.unit = unit
            lines: list[InputLine | OutputLine] = [*self.draft.inputs, *self.draft.outputs]
            for line in lines:
                line.unit = unit
            self._show_inputs()

        self.kiosk.ask(
            ChoiceRequest(self.tr("Mass unit"), [(unit, unit) for unit in KG_PER_UNIT], choose, current=self.unit)
        )

    # --- Outputs ----------------------------------------------------------------------------------

    def _on_add_new_output(self) -> None:
        line = self.draft.add_new_output(self.unit)
        self._prefill_new_lot()
        self._show_outputs()
        self._edit_line_mass(line, self.tr("Mass put into new container {container} in {unit}"))

    def _prefill_new_lot(self) -> None:
        """Offer the inputs' grade when they all share one; the operator can change it."""
        draft = self.draft
        if draft.new_lot_grade_id or not draft.inputs:
            return
        grades = {self.input_grades[line.lot_id] for line in draft.inputs if line.lot_id in self.input_grades}
        if len(grades) == 1:
            draft.new_lot_grade_id, draft.new_lot_grade_version = next(iter(grades))

    def _add_output_by_id(self, identifier: str, *, scan: Scan | None = None) -> None:
        self._load_container(identifier, self._on_output_loaded, scan)

    def _on_output_loaded(self, view: ContainerView, _recycled_share: float) -> None:
        line = self.draft.add_existing_output(view.container_id, view.lot_id)
        line.unit = self.unit
        self._show_outputs()
        if line.mass is None:
            self._edit_line_mass(line, self.tr("Mass put into {container} in {unit}"))

    def _show_outputs(self) -> None:
        self._fill_lines(
            self.outputs_list, self.draft.outputs, "output", self.tr("Mass put into {container} in {unit}")
        )
        draft = self.draft
        self.new_lot_box.setVisible(draft.makes_new_lot)
        grade = f"{draft.new_lot_grade_id} v{draft.new_lot_grade_version}" if draft.new_lot_grade_id else ""
        self.new_lot_grade.set_value(grade)
        self.new_lot_code.set_value(draft.new_lot_internal_code)
        self.new_lot_packaging.set_value(draft.new_lot_packaging_type)

    def _edit_new_lot_grade(self) -> None:
        def choose(key: tuple[str, int]) -> None:
            self.draft.new_lot_grade_id, self.draft.new_lot_grade_version = key
            self._show_outputs()

        grades = self.choices.grades if self.choices is not None else []
        choices = [((g.grade_id, g.version), f"{g.grade_id} v{g.version}: {g.name}") for g in grades]
        self.kiosk.ask(ChoiceRequest(self.tr("New lot grade"), choices, choose))

    def _edit_new_lot_code(self) -> None:
        def accept(value: str) -> None:
            self.draft.new_lot_internal_code = value
            self._show_outputs()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("New lot internal code"),
                initial=self.draft.new_lot_internal_code,
                mode="text",
                parse=parse_text,
                on_accept=accept,
            )
        )

    def _edit_new_lot_packaging(self) -> None:
        def choose(key: str) -> None:
            self.draft.new_lot_packaging_type = key
            self._show_outputs()

        choices = [(name, texts.packaging_type(name)) for name in PACKAGING_TYPES]
        self.kiosk.ask(ChoiceRequest(self.tr("Packaging"), choices, choose, current=self.draft.new_lot_packaging_type))

    # --- Parameters ---------------------------------------------------------------------------

    def _show_parameters(self) -> None:
        draft = self.draft
        if draft.recycle_fraction_pct is None and draft.inputs:
            draft.recycle_fraction_pct = round(draft.computed_recycle_fraction() * 100, 2)
        optional = self.tr("optional")
        for name, field in self.parameter_fields.items():
            field.set_value(format_number(getattr(draft, name)), placeholder=optional)
        self.recycle_note.setText(
            self.tr("Recycled share computed from the inputs' history: {share:.1f} %").format(
                share=draft.computed_recycle_fraction() * 100
            )
        )

    def _edit_parameter(self, name: str, spec: NumberSpec) -> None:
        def accept(value: float | None) -> None:
            setattr(self.draft, name, value)
            self._show_parameters()

        self.kiosk.ask(
            EntryRequest(
                caption=self.parameter_fields[name].text().split(":")[0],
                initial=format_number(getattr(self.draft, name)),
                parse=lambda text: parse_number(text, spec),
                hint=self.tr("{minimum:g} to {maximum:g}; empty if not set").format(
                    minimum=spec.minimum, maximum=spec.maximum
                ),
                allow_empty=True,
                on_accept=accept,
            )
        )

    # --- Review and confirm ---------------------------------------------------------------------

    def _show_review(self) -> None:
        draft = self.draft
        lines = [
            self.tr("{step} on {equipment}").format(step=texts.step_name(draft.step), equipment=draft.equipment_id),
            "",
            self.tr("Blend of the inputs:"),
        ]
        for share in draft.blend_fractions():
            bar = "█" * round(share.fraction * 20)
            lines.append(f"  {share.lot_id}  {share.fraction * 100:5.1f} %  {bar}  ({share.mass_kg:g} kg)")
        input_kg = draft.input_kg()
        output_kg = draft.output_kg()
        lines += [
            "",
            self.tr("In {input:g} kg, out {output:g} kg, difference {difference:+g} kg").format(
                input=round(input_kg, 6), output=round(output_kg, 6), difference=round(output_kg - input_kg, 6)
            ),
        ]
        if output_kg > input_kg * 1.0001:
            lines.append(self.tr("More comes out than went in: check the masses."))
        outputs = ", ".join(f"{line.container_id} {format_number(line.mass)} {line.unit}" for line in draft.outputs)
        lines.append(self.tr("Outputs: {outputs}").format(outputs=outputs))
        if draft.makes_new_lot:
            lines.append(
                self.tr("New lot {lot}, grade {grade}").format(lot=draft.new_lot_id, grade=draft.new_lot_grade_id)
            )
        parameters = [
            (self.tr("mesh"), draft.screen_mesh_um, "µm"),
            (self.tr("temperature"), draft.temperature_c, "°C"),
            (self.tr("duration"), draft.duration_min, "min"),
            (self.tr("recycled"), draft.recycle_fraction_pct, "%"),
        ]
        given = [f"{name} {format_number(value)} {unit}" for name, value, unit in parameters if value is not None]
        if given:
            lines.append(self.tr("Parameters: {parameters}").format(parameters=", ".join(given)))
        self.review.setText("\n".join(lines))

    def _on_confirm(self) -> None:
        missing = self.draft.missing_fields()
        if missing:
            self.kiosk.message(self._missing_text(missing[0]), "rejected")
            return
        self.record("transformation", self.draft.body(), self._on_recorded)

    def _on_recorded(self, event: Event) -> None:
        draft = self.draft
        self.kiosk.message(texts.recorded(event.kind, texts.step_name(draft.step)), "accepted")
        new_containers = [line.container_id for line in draft.outputs if line.is_new_container]
        if new_containers:
            self.kiosk.open_flow(
                "labels",
                identifiers=new_containers,
                title=self.tr("Print the labels of the new containers"),
            )
        else:
            self.kiosk.home()
