"""One id -> the lot's whole story: identity, events, upstream and downstream lots, exposure, samples, decisions."""

from __future__ import annotations

import time
from typing import Any

from sync import lineage
from sync.exposure import container_exposure
from sync.reference import Grade

TIMELINE_KEYS = ("identity", "events", "upstream", "downstream", "exposure", "samples", "decisions")


def build_timeline(
    query: str, *, max_depth: int = lineage.DEFAULT_DEPTH, now_utc_us: int | None = None
) -> dict[str, Any]:
    """Return the timeline of the lot an id names (see `lineage.resolve`) as a JSON-ready dict.

    Raises NotFound or Ambiguous when the id names no lot or several.
    """
    resolved = lineage.resolve(query)
    lot_id = resolved.lot_id
    now_utc_us = now_utc_us if now_utc_us is not None else time.time_ns() // 1000

    container_ids = lineage.containers_of_lot(lot_id)
    sample_ids = lineage.samples_of_lot(lot_id)
    subjects = [("lot", lot_id)] + [("container", c) for c in container_ids] + [("sample", s) for s in sample_ids]
    events = lineage.events_about(subjects)
    voided = lineage.voided_ids(event.event_id for event in events)
    counted = [event for event in events if event.event_id not in voided]

    upstream_graph = lineage.walk(lot_id, direction="upstream", max_depth=max_depth)
    downstream_graph = lineage.walk(lot_id, direction="downstream", max_depth=max_depth)
    all_lots = set(upstream_graph.depth) | set(downstream_graph.depth)
    lots = lineage.lot_rows(all_lots)
    totals = lineage.incoming_totals(lots, upstream_graph, downstream_graph)
    up_shares = lineage.upstream_shares(upstream_graph, totals)
    down_shares = lineage.downstream_shares(downstream_graph, totals)
    recycled = lineage.recycled_shares(upstream_graph, totals, lots)

    lot = lots.get(lot_id, {})
    grade = _grade_limits(lot)
    states = {
        cid: lineage.container_state(cid, [e for e in events if f"container:{cid}" in e.subjects])
        for cid in container_ids
    }

    return {
        "query": {
            "text": resolved.query,
            "matched": resolved.matched,
            "container_id": resolved.container_id,
            "sample_id": resolved.sample_id,
        },
        "identity": {
            **_identity(lot_id, lot, states, recycled.get(lot_id, 0.0), totals.get(lot_id, 0.0)),
            # Lots beyond the depth limit count by their own origin only, so a
            # truncated walk can understate the share.
            "recycled_share_complete": not upstream_graph.truncated,
        },
        "events": [lineage.event_dict(event, voided) for event in events],
        "upstream": _relatives(upstream_graph, up_shares, lots, recycled, key="share_of_this_lot"),
        "downstream": _relatives(downstream_graph, down_shares, lots, {}, key="share_from_this_lot"),
        "genealogy": {
            "max_depth": max_depth,
            "upstream_truncated": upstream_graph.truncated,
            "downstream_truncated": downstream_graph.truncated,
            "has_cycle": upstream_graph.has_cycle or downstream_graph.has_cycle,
        },
        "exposure": _exposure(container_ids, counted, now_utc_us, grade),
        "samples": _samples(counted, voided, events),
        "decisions": _decisions(events, voided),
    }


def _grade_limits(lot: dict[str, Any]) -> dict[str, Any]:
    if not lot:
        return {"max_open_minutes": None, "rh_limit_pct": None}
    row = Grade.get_or_none((Grade.grade_id == lot["grade_id"]) & (Grade.version == lot["grade_version"]))
    return {
        "grade_id": lot["grade_id"],
        "grade_version": lot["grade_version"],
        "max_open_minutes": row.max_open_minutes if row else None,
        "rh_limit_pct": row.rh_limit_pct if row else None,
        "known": row is not None,
    }


def _identity(
    lot_id: str, lot: dict[str, Any], states: dict[str, Any], recycled_share: float, total_kg: float
) -> dict[str, Any]:
    containers = []
    for container_id, state in states.items():
        if state is None:
            continue
        containers.append(
            {
                "container_id": container_id,
                "current_label": state.current_label,
                "labels": sorted(state.labels),
                "lot_id": state.lot_id,
                "net_mass": state.net_mass,
                "unit": state.unit,
                "is_open": state.is_open,
                "opened_at": state.opened_at,
                "storage_location": state.storage_location,
            }
        )
    return {
        "lot_id": lot_id,
        "lot_number": lot.get("lot_number"),
        "supplier": lot.get("supplier"),
        "grade_id": lot.get("grade_id"),
        "grade_version": lot.get("grade_version"),
        "internal_code": lot.get("internal_code"),
        "packaging_type": lot.get("packaging_type"),
        "material_origin": lot.get("material_origin"),
        "origin_step": lot.get("origin_step"),
        "created_event_id": lot.get("event_id"),
        "total_mass_kg": round(total_kg, 6),
        "recycled_share": round(recycled_share, 6),
        "containers": containers,
    }


def _relatives(
    graph: lineage.LotGraph, shares: dict[str, float], lots: dict[str, Any], recycled: dict[str, float], *, key: str
) -> list[dict[str, Any]]:
    result = []
    for lot_id, depth in graph.depth.items():
        if lot_id == graph.root:
            continue
        lot = lots.get(lot_id, {})
        edges = graph.parents.get(lot_id, {}) if key == "share_from_this_lot" else graph.children.get(lot_id, {})
        entry = {
            "lot_id": lot_id,
            "depth": depth,
            key: round(shares.get(lot_id, 0.0), 6),
            "lot_number": lot.get("lot_number"),
            "supplier": lot.get("supplier"),
            "grade_id": lot.get("grade_id"),
            "material_origin": lot.get("material_origin"),
            "origin_step": lot.get("origin_step"),
            "linked_lots": sorted(edges),
        }
        if recycled:
            entry["recycled_share"] = round(recycled.get(lot_id, 0.0), 6)
        result.append(entry)
    result.sort(key=lambda item: (item["depth"], item["lot_id"]))
    return result


def _exposure(container_ids: list[str], events: list[Any], now_utc_us: int, grade: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = []
    for container_id in container_ids:
        exposure = container_exposure(
            container_id,
            events,
            now_utc_us=now_utc_us,
            max_open_minutes=grade["max_open_minutes"],
            rh_limit_pct=grade["rh_limit_pct"],
        )
        containers.append(
            {
                "container_id": container_id,
                "is_open": exposure.is_open,
                "cumulative_open_s": round(exposure.cumulative_open_s, 3),
                "above_rh_limit_s": round(exposure.above_rh_limit_s, 3),
                "unmatched_reseal_event_ids": exposure.unmatched_reseal_event_ids,
                "windows": [
                    {
                        "opened_event_id": w.opened_event_id,
                        "opened_at": w.opened_at,
                        "resealed_event_id": w.resealed_event_id,
                        "resealed_at": w.resealed_at,
                        "open_s": round(w.open_s, 3),
                        "relative_humidity_open_pct": w.relative_humidity_open_pct,
                        "relative_humidity_reseal_pct": w.relative_humidity_reseal_pct,
                        "above_rh_limit_s": round(w.above_rh_limit_s, 3),
                        "exceeds_max_open": w.exceeds_max_open,
                        "storage_location": w.storage_location,
                        "humidity_control_active": w.humidity_control_active,
                    }
                    for w in exposure.windows
                ],
            }
        )
    return {
        "limits": grade,
        "cumulative_open_s": round(sum(c["cumulative_open_s"] for c in containers), 3),
        "above_rh_limit_s": round(sum(c["above_rh_limit_s"] for c in containers), 3),
        "open_now": [c["container_id"] for c in containers if c["is_open"]],
        "windows_over_max_open": sum(1 for c in containers for w in c["windows"] if w["exceeds_max_open"]),
        "containers": containers,
    }


def _samples(counted: list[Any], voided: dict[str, str], events: list[Any]) -> list[dict[str, Any]]:
    samples: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.kind == "sample_taken":
            body = event.body
            samples[body["sample_id"]] = {
                **body,
                "event_id": event.event_id,
                "taken_at": event.occurred_at,
                "station_id": event.station_id,
                "operator_id": event.operator_id,
                "voided_by": voided.get(event.event_id),
                "results": [],
            }
    for event in events:
        if event.kind == "result_recorded" and event.body["sample_id"] in samples:
            samples[event.body["sample_id"]]["results"].append(
                {
                    **event.body,
                    "event_id": event.event_id,
                    "recorded_at": event.occurred_at,
                    "voided_by": voided.get(event.event_id),
                }
            )
    return list(samples.values())


def _decisions(events: list[Any], voided: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **event.body,
            "event_id": event.event_id,
            "decided_at": event.occurred_at,
            "station_id": event.station_id,
            "voided_by": voided.get(event.event_id),
        }
        for event in events
        if event.kind == "release_decision"
    ]


def release_status(timeline: dict[str, Any]) -> str:
    """Return the lot's current release status: the latest decision not voided, or ``undecided``."""
    standing = [d for d in timeline["decisions"] if d["voided_by"] is None]
    return standing[-1]["decision"] if standing else "undecided"
