"""The cases as a GIS layer (GeoJSON, KML, GeoPackage): every case the case list's filters and search
select, with its stage, dates, category, officer and deadlines; a case whose position is not known yet
is kept, without a geometry, and says so."""
from collections.abc import Callable
from datetime import date, datetime

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import Violation
from ..geo.gis_files import Feature, Layer
from ..ward_time import local_date
from .case_queries import CaseFilters, filtered, searched
from .clocks import LIMITATION, is_overdue, nearest_due
from .context import LifecycleContext

CASE_FIELDS = (
    "code", "stage", "stage_name", "category", "category_name", "detected_at", "detected_on", "address", "khu_vuc",
    "route", "officer", "officer_name", "due_date", "due_rule", "due_citation", "due_forecast", "overdue",
    "limitation_due", "position_known", "link",
)

CASE_TYPES = {"detected_at": datetime, "detected_on": date, "due_date": date, "limitation_due": date,
              "due_forecast": bool, "overdue": bool, "position_known": bool}


def cases_layer(session: Session, filters: CaseFilters, context: LifecycleContext, names: Callable[[str, str], str],
                link: Callable[[int], str]) -> Layer:
    """The filtered cases as a point layer; `names(kind, key)` gives a stage's or category's name in the
    reader's language, `link(case id)` the case page's address."""
    today, calendar = context.today, context.calendar
    statement = searched(session, filtered(select(Violation), filters, today), filters)
    rows = session.scalars(statement.options(selectinload(Violation.officer), selectinload(Violation.route))
                           .order_by(Violation.id).execution_options(yield_per=2000))
    layer = Layer(name="cases", geometry_type="Point", fields=CASE_FIELDS, name_field="code", field_types=CASE_TYPES)
    for case in rows:
        due, rule = nearest_due(case)
        layer.features.append(Feature(
            to_shape(case.position) if case.position is not None else None,
            {"code": case.code, "stage": case.stage, "stage_name": names("stage", case.stage),
             "category": case.category, "category_name": names("category", case.category),
             "detected_at": case.detected_at, "detected_on": local_date(case.detected_at), "address": case.address,
             "khu_vuc": case.khu_vuc, "route": case.route.code if case.route else None,
             "officer": case.officer.username, "officer_name": case.officer.full_name,
             "due_date": due, "due_rule": rule or None,
             "due_citation": (context.rules[LIMITATION].citation if rule == LIMITATION else case.due_citation) or None,
             "due_forecast": calendar.is_forecast(None if rule == LIMITATION else case.due_start, due) if due else None,
             "overdue": is_overdue(case, today), "limitation_due": case.limitation_due,
             "position_known": case.position is not None, "link": link(case.id)},
        ))
    return layer
