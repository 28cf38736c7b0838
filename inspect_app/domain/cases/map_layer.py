"""The chairman's map layer: every case matching the filters, in a compact form the browser clusters.

The whole ward is sent at once (not a box at a time) so that the clusters' counts are true at every
zoom and a pan or zoom needs no request. Per case only what drawing needs: id, position, stage and
whether it is overdue; the popup's details are asked for when a case is opened (`case_map`).
Positions are whole micro-degrees (about 0.1 m) from the layer's south-west corner, ids as steps from
the previous one: about 18 bytes a case before compression.
"""
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...models import Violation
from ..geo import spatial
from .case_queries import CaseFilters, filtered, searched
from .clocks import overdue_clause
from .stages import STAGES

LAYER_FORMAT = 1
MICRODEGREES = 1_000_000


@dataclass(frozen=True)
class MapLayer:
    """The cases of one map view: placed ones in id order, and how many have no position."""

    ids: list[int]
    lons: list[float]
    lats: list[float]
    stages: list[str]
    overdue: list[bool]
    unplaced: int

    @property
    def total(self) -> int:
        """Every case matching the filters, placed or not."""
        return len(self.ids) + self.unplaced


def map_layer(session: Session, filters: CaseFilters, today: date) -> MapLayer:
    """Every case matching the filters: position, stage and overdue flag for those with a position,
    and the number of those without one (they cannot be drawn, but they are counted)."""
    late = case((overdue_clause(today), 1), else_=0)
    placed = select(Violation.id, spatial.x_expr(session, Violation.position), spatial.y_expr(session, Violation.position),
                    Violation.stage, late).where(Violation.position.is_not(None)).order_by(Violation.id)
    rows = session.execute(searched(session, filtered(placed, filters, today), filters)).all()
    unplaced = select(func.count(Violation.id)).where(Violation.position.is_(None))
    missing = session.scalar(searched(session, filtered(unplaced, filters, today), filters)) or 0
    return MapLayer(ids=[r[0] for r in rows], lons=[r[1] for r in rows], lats=[r[2] for r in rows],
                    stages=[r[3] for r in rows], overdue=[bool(r[4]) for r in rows], unplaced=int(missing))


def layer_version(session: Session) -> tuple[int, int, int]:
    """A value that changes whenever any case is added or changed (count, last id, sum of the row versions
    every ORM write increments; cases are never deleted), so that an encoded layer can be kept until then.
    Filters that read other tables (waiting proposals, visits) are not covered: see `depends_on_cases_only`."""
    count, last_id, versions = session.execute(
        select(func.count(Violation.id), func.max(Violation.id), func.sum(Violation.version))).one()
    return int(count), int(last_id or 0), int(versions or 0)


def depends_on_cases_only(filters: CaseFilters) -> bool:
    """Whether the layer for these filters reads nothing but the cases' own rows (and today)."""
    return not (filters.waiting or filters.no_visit_since)


def encode_layer(layer: MapLayer) -> dict[str, Any]:
    """The layer as compact JSON: `id` steps, `x`/`y` micro-degrees from `origin`, `k` = stage index × 2
    + overdue (stages in `stages` order); `total` and `unplaced` count every matching case."""
    stage_index = {str(stage): i for i, stage in enumerate(STAGES)}
    if layer.ids:
        origin_x = int(min(layer.lons) * MICRODEGREES) - 1
        origin_y = int(min(layer.lats) * MICRODEGREES) - 1
    else:
        origin_x = origin_y = 0
    steps, previous = [], 0
    for case_id in layer.ids:
        steps.append(case_id - previous)
        previous = case_id
    return {
        "format": LAYER_FORMAT, "scale": MICRODEGREES, "origin": [origin_x, origin_y], "stages": [str(stage) for stage in STAGES],
        "total": layer.total, "unplaced": layer.unplaced, "id": steps,
        "x": [round(lon * MICRODEGREES) - origin_x for lon in layer.lons],
        "y": [round(lat * MICRODEGREES) - origin_y for lat in layer.lats],
        "k": [stage_index[stage] * 2 + late for stage, late in zip(layer.stages, layer.overdue, strict=True)],
    }
