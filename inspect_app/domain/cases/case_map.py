"""The cases as GIS tools read them: GeoJSON points with their stage, deadline (forecast or not), overdue
flag and first photo, inside a box and through the case list's filters; and one case's details for the
chairman's map popup (the map itself draws the compact layer of map_layer.py)."""
import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Violation
from ..errors import N_, NotFound
from ..field.field_reports import first_photos
from ..geo import spatial
from .case_queries import CaseFilters, filtered, searched
from .clocks import LIMITATION, is_overdue, nearest_due
from .deadlines import WorkingCalendar


def violations_feature_collection(session: Session, bbox: tuple[float, float, float, float] | None = None,
                                  limit: int = 5000, filters: CaseFilters | None = None, today: date | None = None,
                                  calendar: WorkingCalendar | None = None) -> dict[str, Any]:
    """Cases as GeoJSON points (code, stage, category, address, due date, whether it is a forecast,
    overdue, first photo's public id), optionally inside a bbox and filtered; `truncated` says whether the
    limit cut the list."""
    geojson = spatial.geojson_expr(session, Violation.position).label("geojson")
    statement = select(Violation, geojson).where(Violation.position.is_not(None)).order_by(Violation.id).limit(limit + 1)
    if bbox is not None:
        statement = statement.where(spatial.in_bbox(session, Violation.position, *bbox))
    if filters is not None:
        assert today is not None, "filters that ask for deadlines are read against a day"
        statement = searched(session, filtered(statement, filters, today), filters)
    rows = session.execute(statement).all()
    photos = first_photos(session, [v.id for v, _ in rows[:limit]])
    features = [{"type": "Feature", "id": v.id, "geometry": json.loads(g), "properties": _properties(v, photos, today, calendar)}
                for v, g in rows[:limit]]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}


def case_details(session: Session, case_id: int, today: date, calendar: WorkingCalendar) -> dict[str, Any]:
    """One case's details as the map's popup shows them (the properties of its GeoJSON feature)."""
    case = session.get(Violation, case_id)
    if case is None:
        raise NotFound(N_("This case does not exist."))
    return _properties(case, first_photos(session, [case.id]), today, calendar)


def _properties(v, photos, today, calendar):
    return {"code": v.code, "stage": v.stage, "category": v.category,
            "detected_at": v.detected_at.isoformat(), "address": v.address, "khu_vuc": v.khu_vuc,
            "due_date": _iso(nearest_due(v)[0]), "due_forecast": _forecast(v, calendar),
            "overdue": bool(today and is_overdue(v, today)),
            "photo": photos[v.id].public_id if v.id in photos else None}


def _forecast(case, calendar):
    """The case's nearest deadline runs over days the office has not confirmed (None: no calendar given)."""
    due, rule = nearest_due(case)
    if calendar is None or due is None:
        return None
    return calendar.is_forecast(None if rule == LIMITATION else case.due_start, due)


def _iso(day):
    return day.isoformat() if day else None
