"""Derived state from events: what an id names, a container's state, and the lot genealogy.

All functions read through the models' bound database and write nothing, so
they run on any reader connection.
"""

from __future__ import annotations

import itertools
import json
import string
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import DatabaseProxy, PostgresqlDatabase

from sync.errors import Ambiguous, NotFound
from sync.ids import IDENTIFIER_RE
from sync.lookalikes import describe_notes, replace_lookalikes
from sync.models import (
    Container,
    ContainerLot,
    Event,
    EventSubject,
    Label,
    Lot,
    LotLink,
    Sample,
    VoidedEvent,
    dict_rows,
    event_from_row,
    tuple_rows,
)
from sync.records import Event as RecordEvent

# Generations the timeline follows up and down unless told otherwise. A blend
# in a long reuse history reaches thousands of lots within 25 generations
# (80 ms and more at 1M events); 10 keeps an interactive lookup under 20 ms
# there, and audits ask for more with --depth.
DEFAULT_DEPTH = 10
# Ids per ``IN (...)`` list, well below SQLite's default limit of 32 766 parameters.
IN_CHUNK = 500
# Maximum number of ids that a not-found message suggests.
MAX_SUGGESTIONS = 5
# ASCII letters at the start of a query that the case-insensitive lookup varies in case
# (2 ** 4 = 16 index ranges on SQLite).
CASE_VARIANT_LETTERS = 4
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@dataclass(frozen=True)
class Resolved:
    """Result of resolving a typed or scanned id: what it matched and the lot whose timeline it opens."""

    query: str
    # lot, lot_number, container, label, sample
    matched: str
    lot_id: str
    container_id: str | None = None
    sample_id: str | None = None


def resolve(query: str) -> Resolved:
    """Resolve a lot id, supplier lot number, container id, any earlier label or sample id.

    Only an exact match counts. Raises NotFound, whose message suggests the
    ids and lot numbers that match ignoring case, or Ambiguous when a
    supplier lot number names several lots.
    """
    text = query.strip()
    if not _is_unicode_text(text):
        raise NotFound(
            f"no lot, container, label or sample has the id {text!r}, which is not valid UTF-8 text; "
            "check the terminal's character encoding, or type or scan the id again"
        )
    if Lot.get_or_none(Lot.lot_id == text) is not None:
        return Resolved(text, "lot", text)
    label = Label.get_or_none(Label.label == text)
    if label is not None:
        container_id = label.container_id
        state = container_state(container_id)
        lot_id = state.lot_id if state else _first_lot(container_id)
        matched = "container" if container_id == text else "label"
        return Resolved(text, matched, lot_id, container_id=container_id)
    sample = Sample.get_or_none(Sample.sample_id == text)
    if sample is not None:
        return Resolved(text, "sample", sample.lot_id, sample_id=text)
    lots = list(Lot.select(Lot.lot_id, Lot.supplier).where(Lot.lot_number == text).order_by(Lot.lot_id))
    if len(lots) == 1:
        return Resolved(text, "lot_number", lots[0].lot_id)
    if lots:
        names = ", ".join(f"{lot.lot_id} ({lot.supplier})" for lot in lots)
        raise Ambiguous(f"lot number {text!r} names {len(lots)} lots: {names}; give the lot id instead")
    raise NotFound(_not_found_message(text))


def _is_unicode_text(text: str) -> bool:
    # A command-line argument that is not UTF-8 arrives with lone surrogates, which no database stores.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_found_message(text: str) -> str:
    message = f"no lot, container, label or sample has the id {text!r}"
    # Pasted text may hold a dash or blank that looks right on screen but is another character.
    plain, notes = replace_lookalikes(text)
    message += describe_notes(notes)
    matches = ids_matching_ignoring_case(plain)
    if not matches:
        return f"{message}; check the id or scan the label"
    suggestions = [match if IDENTIFIER_RE.match(match) else repr(match) for match in matches[:MAX_SUGGESTIONS]]
    if len(matches) > MAX_SUGGESTIONS:
        suggestions.append("others")
    alternatives = suggestions[0] if len(suggestions) == 1 else f"{', '.join(suggestions[:-1])} or {suggestions[-1]}"
    if matches == [plain]:
        return f"{message}; did you mean {alternatives}?"
    return f"{message}; did you mean {alternatives}? Ids and lot numbers are case-sensitive"


def ids_matching_ignoring_case(text: str) -> list[str]:
    """Return the lot ids, lot numbers, labels and sample ids that equal the text ignoring case, each once.

    Call it only once an exact lookup has found nothing. Labels include
    container ids, since a container's id is its first label. Only ASCII
    letters are folded, as SQLite's NOCASE collation does, so 'É' and 'é'
    differ. On PostgreSQL only the text in upper or in lower case matches.
    """
    if not text:
        return []  # no id or lot number is empty
    matches: dict[str, None] = {}
    for column in (Lot.lot_id, Lot.lot_number, Label.label, Sample.sample_id):
        matches.update((value, None) for value in _values_equal_ignoring_case(column, text))
    return list(matches)


def _values_equal_ignoring_case(column: Any, text: str) -> list[str]:
    db = column.model._meta.database
    bound = db.obj if isinstance(db, DatabaseProxy) else db
    if isinstance(bound, PostgresqlDatabase):
        sql, params = _postgres_query_ignoring_case(column, text, db.param)
    else:
        sql, params = _sqlite_query_ignoring_case(column, text, db.param)
    return [row[0] for row in db.execute_sql(sql, [*params, MAX_SUGGESTIONS + 1]).fetchall()]


def _sqlite_query_ignoring_case(column: Any, text: str, mark: str) -> tuple[str, list[str]]:
    """Return SQL and parameters that read the column's values equal to the text ignoring case through its index."""
    name, table = _quoted(column), column.model._meta.table_name
    match = f'SELECT DISTINCT {name} FROM "{table}" WHERE {name} = {mark} COLLATE NOCASE'
    ranges = _case_variant_ranges(text)
    if not ranges:
        return f"{match} ORDER BY 1 LIMIT {mark}", [text]
    # SQLite's BINARY collation compares UTF-8 bytes, so the index keeps strings in code point
    # order and each value that equals the text ignoring case lies in one of the ranges.
    in_range = f"{match} AND {name} >= {mark} AND {name} < {mark}"
    sql = " UNION ".join([in_range] * len(ranges)) + f" ORDER BY 1 LIMIT {mark}"
    return sql, [value for low, high in ranges for value in (text, low, high)]


def _postgres_query_ignoring_case(column: Any, text: str, mark: str) -> tuple[str, list[str]]:
    """Return SQL and parameters that read the column's values equal to the text in upper or lower case.

    Comparing every value ignoring case took 110 ms on the 1,000,000-event
    demo database (docs/BENCHMARKS.md), because the index is case-sensitive
    and, in a linguistic collation, does not keep strings that start alike
    together. NOTE: a value in mixed case, such as 'Lot-7x' for the text
    'lot-7x', is therefore not suggested on PostgreSQL. TODO: an index on
    lower(column COLLATE "C") for each column makes a complete match cheap.
    """
    name, table = _quoted(column), column.model._meta.table_name
    sql = f'SELECT DISTINCT {name} FROM "{table}" WHERE {name} IN ({mark}, {mark}) ORDER BY 1 LIMIT {mark}'
    return sql, [text.translate(_ASCII_UPPER), text.translate(_ASCII_LOWER)]


def _case_variant_ranges(text: str) -> list[tuple[str, str]]:
    """Return the [low, high) ranges of the strings that start with a case variant of the text's start.

    The start runs up to the text's fifth ASCII letter, so there are at most
    16 ranges. Returns no range when the start is empty or only U+10FFFF
    characters, which have no successor.
    """
    end = len(text)
    letters = 0
    for index, character in enumerate(text):
        if character.isascii() and character.isalpha():
            if letters == CASE_VARIANT_LETTERS:
                end = index
                break
            letters += 1
    start = text[:end].rstrip("\U0010ffff")
    if not start:
        return []
    choices = [
        (character.upper(), character.lower()) if character.isascii() and character.isalpha() else (character,)
        for character in start
    ]
    ranges = []
    for variant in itertools.product(*choices):
        low = "".join(variant)
        following = ord(low[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:
            following = 0xE000  # a surrogate cannot be encoded as UTF-8, so no stored string contains one
        ranges.append((low, low[:-1] + chr(following)))
    return ranges


def _first_lot(container_id: str) -> str:
    row = Container.get_or_none(Container.container_id == container_id)
    if row is None:
        raise NotFound(f"container {container_id!r} is not registered")
    return str(row.lot_id)


def voided_ids(event_ids: Iterable[str]) -> dict[str, str]:
    """Return {voided event id: correcting event id} for the given events."""
    ids = list(event_ids)
    result: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in VoidedEvent.select().where(VoidedEvent.event_id.in_(chunk)):
            result[row.event_id] = row.correction_event_id
    return result


def events_about(subjects: Iterable[tuple[str, str]]) -> list[RecordEvent]:
    """Return the events naming any (subject type, id) pair, in time order (station and seq break ties)."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for subject_type, subject_id in subjects:
        by_type[subject_type].append(subject_id)
    event_ids: set[str] = set()
    for subject_type, ids in by_type.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = EventSubject.select(EventSubject.event_id).where(
                (EventSubject.subject_type == subject_type) & EventSubject.subject_id.in_(chunk)
            )
            event_ids.update(row.event_id for row in query)
    rows: list[Any] = []
    ordered_ids = sorted(event_ids)
    for start in range(0, len(ordered_ids), 500):
        rows += dict_rows(Event.select().where(Event.event_id.in_(ordered_ids[start : start + 500])))
    rows.sort(key=lambda row: (row["occurred_utc_us"], row["station_id"], row["seq"]))
    return [event_from_row(row) for row in rows]


@dataclass
class ContainerState:
    """A container's state folded from its events (voided events left out)."""

    container_id: str
    lot_id: str
    net_mass: float
    unit: str
    labels: list[str]
    current_label: str
    is_open: bool = False
    opened_utc_us: int | None = None
    opened_at: str | None = None
    storage_location: str | None = None
    humidity_control_active: bool | None = None
    last_relative_humidity_pct: float | None = None
    last_ambient_temperature_c: float | None = None
    events: list[RecordEvent] = field(default_factory=list, repr=False)


def container_state(container_id: str, events: list[RecordEvent] | None = None) -> ContainerState | None:
    """Fold a container's events into its state; None if no such container is registered.

    Given the container's events (time order), folds them all and keeps them
    in `ContainerState.events`. Without them, reads only the latest events
    that decide the state, newest first, so recording stays fast for a
    container with a long history; `events` is then left empty.
    """
    row = Container.get_or_none(Container.container_id == container_id)
    if row is None:
        return None
    state = ContainerState(
        container_id=container_id,
        lot_id=row.lot_id,
        net_mass=row.net_mass,
        unit=row.unit,
        labels=[label.label for label in Label.select().where(Label.container_id == container_id)],
        current_label=container_id,
    )
    if events is None:
        _fold_latest(state)
        return state
    voided = voided_ids(event.event_id for event in events)
    for event in events:
        if event.event_id in voided:
            continue
        _fold_container_event(state, event)
        state.events.append(event)
    return state


STATE_PAGE = 50


def _newest_first(query: Any) -> Any:
    return query.order_by(Event.occurred_utc_us.desc(), Event.station_id.desc(), Event.seq.desc())


def _exposures_newest_first(container_id: str) -> Iterator[RecordEvent]:
    """Yield a container's open and reseal events that are not voided, newest first, a page at a time."""
    # Ordering by the subject index's time column lets SQLite read the
    # container's events newest first instead of sorting all of them.
    query = (
        Event.select()
        .join(EventSubject, on=(EventSubject.event_id == Event.event_id))
        .where(
            (EventSubject.subject_type == "container")
            & (EventSubject.subject_id == container_id)
            & Event.kind.in_(["container_opened", "container_resealed"])
        )
        .order_by(EventSubject.occurred_utc_us.desc(), Event.station_id.desc(), Event.seq.desc())
    )
    page = 1
    while True:
        rows = dict_rows(query.paginate(page, STATE_PAGE))
        voided = voided_ids(row["event_id"] for row in rows)
        for row in rows:
            if row["event_id"] not in voided:
                yield event_from_row(row)
        if len(rows) < STATE_PAGE:
            return
        page += 1


def _fold_latest(state: ContainerState) -> None:
    """Set the state from the newest relabel, filling and run of open or reseal events.

    Gives the same state as folding every event in time order, with a few
    indexed reads: relabels and fillings voided by a correction have no rows
    in `Label` and `ContainerLot` any more, and an open window starts at the
    first open of its run.
    """
    container_id = state.container_id
    label = (
        Label.select(Label.label)
        .join(Event, on=(Event.event_id == Label.event_id))
        .where((Label.container_id == container_id) & (Event.kind == "container_relabelled"))
    )
    newest_label = _newest_first(label).first()
    if newest_label is not None:
        state.current_label = newest_label.label
    filling = (
        ContainerLot.select(ContainerLot.lot_id)
        .join(Event, on=(Event.event_id == ContainerLot.event_id))
        .where((ContainerLot.container_id == container_id) & (Event.kind == "transformation"))
    )
    newest_filling = _newest_first(filling).first()
    if newest_filling is not None:
        state.lot_id = newest_filling.lot_id
    for event in _exposures_newest_first(container_id):
        if _fold_exposure_backwards(state, event):
            return


def _fold_exposure_backwards(state: ContainerState, event: RecordEvent) -> bool:
    """Take one open or reseal event, newest first; return True once nothing older can change the state."""
    body = event.body
    if state.storage_location is None:
        # The newest open or reseal sets the readings and whether the container is open.
        state.storage_location = body["storage_location"]
        state.humidity_control_active = body["humidity_control_active"]
        state.last_relative_humidity_pct = body["relative_humidity_pct"]
        state.last_ambient_temperature_c = body["ambient_temperature_c"]
        state.is_open = event.kind == "container_opened"
    if event.kind == "container_resealed":
        return True
    # An open in the newest run of opens: the window started at the earliest of them.
    state.opened_utc_us = event.occurred_utc_us
    state.opened_at = event.occurred_at
    return False


def _fold_container_event(state: ContainerState, event: RecordEvent) -> None:
    body = event.body
    if event.kind == "container_relabelled" and body["container_id"] == state.container_id:
        state.current_label = body["new_label"]
    elif event.kind in ("container_opened", "container_resealed") and body["container_id"] == state.container_id:
        is_open = event.kind == "container_opened"
        if is_open and not state.is_open:
            state.opened_utc_us = event.occurred_utc_us
            state.opened_at = event.occurred_at
        elif not is_open:
            state.opened_utc_us = None
            state.opened_at = None
        state.is_open = is_open
        state.storage_location = body["storage_location"]
        state.humidity_control_active = body["humidity_control_active"]
        state.last_relative_humidity_pct = body["relative_humidity_pct"]
        state.last_ambient_temperature_c = body["ambient_temperature_c"]
    elif event.kind == "transformation":
        for output in body["outputs"]:
            if output["container_id"] == state.container_id:
                state.lot_id = output["lot_id"]


def containers_of_lot(lot_id: str) -> list[str]:
    """Return every container that has held a lot, in id order."""
    query = ContainerLot.select(ContainerLot.container_id).where(ContainerLot.lot_id == lot_id).distinct()
    return sorted(row.container_id for row in query)


def samples_of_lot(lot_id: str) -> list[str]:
    """Return the ids of the samples drawn from a lot."""
    return sorted(row.sample_id for row in Sample.select(Sample.sample_id).where(Sample.lot_id == lot_id))


def open_containers() -> list[str]:
    """Return the containers whose latest open or reseal event (not voided) is an open."""
    latest: dict[str, tuple[int, str]] = {}
    query = (
        Event.select(Event.event_id, Event.kind, Event.occurred_utc_us, Event.subjects)
        .where(Event.kind.in_(["container_opened", "container_resealed"]))
        .where(Event.event_id.not_in(VoidedEvent.select(VoidedEvent.event_id)))
        .order_by(Event.occurred_utc_us)
    )
    for _event_id, kind, occurred_utc_us, subjects in tuple_rows(query):
        for subject in json.loads(subjects):
            latest[subject.removeprefix("container:")] = (occurred_utc_us, kind)
    return sorted(cid for cid, (_occurred, kind) in latest.items() if kind == "container_opened")


# --- Genealogy ---------------------------------------------------------------


@dataclass
class LotGraph:
    """Lot links gathered around one lot, with each lot's incoming mass for shares."""

    root: str
    # child -> parent -> kg over all non-voided transformations
    parents: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    children: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    depth: dict[str, int] = field(default_factory=dict)
    # Lots whose links in the walk's direction were all read (the others lie at the depth limit).
    expanded: set[str] = field(default_factory=set)
    truncated: bool = False
    has_cycle: bool = False


def _quoted(*fields: Any) -> str:
    return ", ".join(f'"{field.column_name}"' for field in fields)


def _select_in(columns: str, key: Any, ids: Sequence[str], *, suffix: str = "") -> list[tuple[Any, ...]]:
    """Return the rows of ``SELECT columns FROM <key's table> WHERE key IN (ids) suffix``, 500 ids per query.

    The genealogy reads go through here as plain SQL: for the thousand or so
    lots around a lot with a long reuse history, building the query and
    converting the rows with peewee took as long as the database's own work.
    """
    db = key.model._meta.database
    table = key.model._meta.table_name
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), IN_CHUNK):
        chunk = list(ids[start : start + IN_CHUNK])
        marks = ", ".join([db.param] * len(chunk))
        cursor = db.execute_sql(f'SELECT {columns} FROM "{table}" WHERE {_quoted(key)} IN ({marks}){suffix}', chunk)
        rows += [tuple(row) for row in cursor.fetchall()]
    return rows


_LINK_COLUMNS = _quoted(LotLink.parent_lot_id, LotLink.child_lot_id, LotLink.mass_kg)


def _links_where(column: Any, lot_ids: list[str]) -> list[tuple[str, str, float]]:
    return _select_in(_LINK_COLUMNS, column, lot_ids)


def _any_link_where(column: Any, lot_ids: list[str]) -> bool:
    db = column.model._meta.database
    for start in range(0, len(lot_ids), IN_CHUNK):
        chunk = lot_ids[start : start + IN_CHUNK]
        marks = ", ".join([db.param] * len(chunk))
        table = column.model._meta.table_name
        sql = f'SELECT 1 FROM "{table}" WHERE {_quoted(column)} IN ({marks}) LIMIT 1'
        if db.execute_sql(sql, chunk).fetchone() is not None:
            return True
    return False


def walk(root: str, *, direction: str, max_depth: int = DEFAULT_DEPTH) -> LotGraph:
    """Gather links upstream (toward what went in) or downstream (toward what it went into), level by level.

    Each lot is expanded once, so a reuse loop (a lot topped up with powder
    recycled from itself) ends the walk instead of circling. The walk also
    stops after `max_depth` levels and then sets `truncated`.
    """
    graph = LotGraph(root)
    graph.depth[root] = 0
    frontier = [root]
    seen = {root}
    column = LotLink.child_lot_id if direction == "upstream" else LotLink.parent_lot_id
    level = 0
    while frontier:
        if level >= max_depth:
            graph.truncated = _any_link_where(column, frontier)
            break
        level += 1
        graph.expanded.update(frontier)
        next_frontier: list[str] = []
        for parent, child, mass_kg in _links_where(column, frontier):
            graph.parents[child][parent] = graph.parents[child].get(parent, 0.0) + mass_kg
            graph.children[parent][child] = graph.children[parent].get(child, 0.0) + mass_kg
            other = parent if direction == "upstream" else child
            if other not in seen:
                seen.add(other)
                graph.depth[other] = level
                next_frontier.append(other)
        frontier = next_frontier
    return graph


def _topological(root: str, edges: dict[str, dict[str, float]]) -> tuple[list[str], set[tuple[str, str]]]:
    """Order nodes reachable from root so each comes before the nodes it points to; return back edges too."""
    order: list[str] = []
    back_edges: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[tuple[str, Any]] = [(root, iter(edges.get(root, {})))]
    state[root] = 1
    while stack:
        node, targets = stack[-1]
        advanced = False
        for target in targets:
            mark = state.get(target)
            if mark == 1:
                back_edges.add((node, target))
            elif mark is None:
                state[target] = 1
                stack.append((target, iter(edges.get(target, {}))))
                advanced = True
                break
        if not advanced:
            stack.pop()
            state[node] = 2
            order.append(node)
    order.reverse()
    return order, back_edges


def incoming_totals(lots: dict[str, dict[str, Any]], upstream: LotGraph, downstream: LotGraph) -> dict[str, float]:
    """Return the total mass of the lots around a root: registered mass plus every non-voided link in, in kg.

    The upstream walk has already read every link into the lots it expanded,
    so only the downstream lots' incoming links are summed in SQL. Upstream
    lots at the depth limit get their registered mass only, since their
    inputs were not read.
    """
    totals: dict[str, float] = {}
    for lot_id in set(upstream.depth) | set(downstream.depth):
        totals[lot_id] = lots.get(lot_id, {}).get("base_mass_kg", 0.0)
    for lot_id in upstream.expanded:
        totals[lot_id] += sum(upstream.parents.get(lot_id, {}).values())
    ids = [lot_id for lot_id in downstream.depth if lot_id not in upstream.expanded]
    child = _quoted(LotLink.child_lot_id)
    sums = _select_in(
        f"{child}, SUM({_quoted(LotLink.mass_kg)})", LotLink.child_lot_id, ids, suffix=f" GROUP BY {child}"
    )
    for child_lot_id, mass_kg in sums:
        totals[child_lot_id] += mass_kg
    return totals


def upstream_shares(graph: LotGraph, totals: dict[str, float]) -> dict[str, float]:
    """Return, for each ancestor, the share of the root's mass that came from it (summed over all paths)."""
    order, back_edges = _topological(graph.root, graph.parents)
    graph.has_cycle = graph.has_cycle or bool(back_edges)
    share = {graph.root: 1.0}
    for node in order:
        weight = share.get(node, 0.0)
        total = totals.get(node, 0.0)
        if not weight or total <= 0:
            continue
        for parent, mass_kg in graph.parents.get(node, {}).items():
            if (node, parent) in back_edges:
                continue
            share[parent] = share.get(parent, 0.0) + weight * mass_kg / total
    share.pop(graph.root, None)
    return share


def downstream_shares(graph: LotGraph, totals: dict[str, float]) -> dict[str, float]:
    """Return, for each descendant, the share of its mass that came from the root lot."""
    order, back_edges = _topological(graph.root, graph.children)
    graph.has_cycle = graph.has_cycle or bool(back_edges)
    share = {graph.root: 1.0}
    for node in order:
        weight = share.get(node, 0.0)
        if not weight:
            continue
        for child, mass_kg in graph.children.get(node, {}).items():
            if (node, child) in back_edges or totals.get(child, 0.0) <= 0:
                continue
            share[child] = share.get(child, 0.0) + weight * mass_kg / totals[child]
    share.pop(graph.root, None)
    return share


def recycled_shares(graph: LotGraph, totals: dict[str, float], lots: dict[str, Any]) -> dict[str, float]:
    """Return each lot's recycled or reused share by mass, for the root and its upstream lots.

    A lot registered as recycled or reused, or made by a recycling step, counts
    as wholly recycled. Any other lot carries its inputs' recycled shares in
    proportion to their mass, and counts its own registered mass as virgin. Lots past
    the depth limit count by their own origin only.
    """
    order, back_edges = _topological(graph.root, graph.parents)
    result: dict[str, float] = {}
    for node in reversed(order):  # ancestors first
        lot = lots.get(node)
        if lot is not None and (lot["material_origin"] in ("recycled", "reused") or lot["origin_step"] == "recycling"):
            result[node] = 1.0
            continue
        total = totals.get(node, 0.0)
        if total <= 0:
            result[node] = 0.0
            continue
        recycled_kg = sum(
            mass_kg * result.get(parent, 0.0)
            for parent, mass_kg in graph.parents.get(node, {}).items()
            if (node, parent) not in back_edges
        )
        result[node] = recycled_kg / total
    return result


def lot_rows(lot_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return the projection rows of the given lots, by id."""
    fields = Lot._meta.sorted_fields
    names = [field.name for field in fields]
    result: dict[str, dict[str, Any]] = {}
    for values in _select_in(_quoted(*fields), Lot.lot_id, list(set(lot_ids))):
        row = dict(zip(names, values, strict=True))
        result[row["lot_id"]] = row
    return result


def event_dict(event: RecordEvent, voided: dict[str, str]) -> dict[str, Any]:
    """Return an event as the timeline shows it: the record plus whether a correction voided it."""
    data = event.to_dict()
    data["voided_by"] = voided.get(event.event_id)
    return data


def events_by_id(event_ids: Iterable[str]) -> list[RecordEvent]:
    """Return stored events by id, in time order."""
    ids = sorted(set(event_ids))
    rows: list[Any] = []
    for start in range(0, len(ids), 500):
        rows += dict_rows(Event.select().where(Event.event_id.in_(ids[start : start + 500])))
    rows.sort(key=lambda row: (row["occurred_utc_us"], row["station_id"], row["seq"]))
    return [event_from_row(row) for row in rows]
