"""The chairman's map layer: every case matching the filters, in a compact form the browser clusters.

The whole ward is sent at once (not a box at a time) so that the clusters' counts are true at every
zoom and a pan or zoom needs no request. Per case only what drawing needs: id, position, stage and
whether it is overdue; the popup's details are asked for when a case is opened (`case_map`).
Positions are whole micro-degrees (about 0.1 m) from an origin near the ward's centre, ids as steps from
the previous one: about 18 bytes a case before compression.

The database writes the numbers out itself, one comma-separated text per column (one query, one row):
at 100,000 cases that is several times faster than bringing 100,000 rows into Python. Python only turns
the ids into steps. The columns come from the same rows in the same order, so they stay aligned whatever
that order is, and steps decode to the right ids in any order (ordered by id they are mostly 1: smaller).
"""
import json
import operator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...models import Violation
from ..geo import geography, spatial
from .case_queries import CaseFilters, filtered, searched
from .clocks import overdue_clause
from .stages import STAGES

LAYER_FORMAT = 1
MICRODEGREES = spatial.MICRODEGREES


@dataclass(frozen=True)
class MapLayer:
    """The cases of one map view, each column a comma-separated text of integers (see `layer_json`),
    and how many cases have no position."""

    origin: tuple[int, int]
    id_steps: str
    xs: str
    ys: str
    kinds: str
    placed: int
    unplaced: int

    @property
    def total(self) -> int:
        """Every case matching the filters, placed or not."""
        return self.placed + self.unplaced


def map_layer(session: Session, filters: CaseFilters, today: date) -> MapLayer:
    """Every case matching the filters: position, stage and overdue flag for those with a position,
    and the number of those without one (they cannot be drawn, but they are counted)."""
    lat, lon = geography.ward_centre(session)
    origin = (round(lon * MICRODEGREES), round(lat * MICRODEGREES))
    x, y = spatial.point_microdegrees_exprs(session, Violation.position)
    kind = (case({str(stage): i * 2 for i, stage in enumerate(STAGES)}, value=Violation.stage, else_=-2)
            + case((overdue_clause(today), 1), else_=0))
    columns = select(Violation.id.label("id"), (x - origin[0]).label("x"), (y - origin[1]).label("y"), kind.label("k"))
    rows = searched(session, filtered(columns, filters, today), filters).order_by(Violation.id).subquery()
    placed = rows.c.x.is_not(None)  # x is NULL for a case with no position; the aggregates skip NULLs
    ids, xs, ys, kinds, unplaced = session.execute(select(
        spatial.comma_joined(session, case((placed, rows.c.id))),
        spatial.comma_joined(session, rows.c.x),
        spatial.comma_joined(session, rows.c.y),
        spatial.comma_joined(session, case((placed, rows.c.k))),
        func.count(rows.c.id) - func.count(rows.c.x),
    )).one()
    if kinds and "-" in kinds:  # never: the database keeps stages to the five (models/vocabulary.py)
        raise ValueError("a case's stage is not one of the stages")
    steps, count = _steps(ids or "")
    return MapLayer(origin=origin, id_steps=steps, xs=xs or "", ys=ys or "", kinds=kinds or "", placed=count,
                    unplaced=int(unplaced or 0))


def _steps(ids: str) -> tuple[str, int]:
    """("step,step,…", how many) for "id,id,…": each id less the one before it (the first less 0)."""
    if not ids:
        return "", 0
    values = list(map(int, ids.split(",")))
    steps = map(operator.sub, values, [0, *values[:-1]])
    return ",".join(map(str, steps)), len(values)


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


def layer_json(layer: MapLayer) -> bytes:
    """The layer as compact JSON: `id` steps, `x`/`y` micro-degrees from `origin`, `k` = stage index × 2
    + overdue (stages in `stages` order); `total` and `unplaced` count every matching case."""
    head = json.dumps({"format": LAYER_FORMAT, "scale": MICRODEGREES, "origin": list(layer.origin),
                       "stages": [str(stage) for stage in STAGES], "total": layer.total, "unplaced": layer.unplaced},
                      separators=(",", ":"))
    # The columns are integers written by the database: valid JSON numbers as they are.
    return (f'{head[:-1]},"id":[{layer.id_steps}],"x":[{layer.xs}],"y":[{layer.ys}],"k":[{layer.kinds}]}}').encode()
