"""Everything a template can call, registered in one place: formatters and labels in the reader's
language, the access policy's may_open, the ward's name, the route sketch, and the case pages' helpers
(cases/presenters.py). Data reaches templates as values, never as template source."""
import uuid

from flask import g
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from geoalchemy2.shape import to_shape

from .auth.access import may_open
from .cases.presenters import TEMPLATE_GLOBALS as CASE_GLOBALS
from .domain.field.coverage import local_projection
from .domain.geo import geography
from .domain.ward_time import local_today, week_of
from .extensions import db
from .i18n import category_label, role_label, stage_label, visit_outcome_label
from .main.page_urls import page_urls


def route_sketch(route, width=120, height=60, pad=6):
    """SVG polyline points drawing the route in a width × height box (north up)."""
    line = to_shape(route.geom)
    project = local_projection(line.centroid.x, line.centroid.y)
    points = [project(x, y) for x, y in line.coords]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    scale = min((width - 2 * pad) / max(max(xs) - min(xs), 1.0), (height - 2 * pad) / max(max(ys) - min(ys), 1.0))
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return " ".join(f"{width / 2 + (x - cx) * scale:.1f},{height / 2 - (y - cy) * scale:.1f}" for x, y in points)


def ward_name():
    """The ward's name as the office set it (admin settings), read once per request."""
    from flask import current_app

    if "ward_name" not in g:
        ward = geography.get_ward(db.session)
        g.ward_name = ward.name if ward is not None else current_app.config["WARD_NAME"]
    return g.ward_name


def this_week_iso():
    """This week in the ward, as URLs write it (2026-W49)."""
    return week_of(local_today()).iso


def init_app(app):
    """Give every template the app's helpers."""
    app.jinja_env.globals.update(
        get_locale=get_locale, format_date=format_date, format_datetime=format_datetime, format_decimal=format_decimal,
        role_label=role_label, stage_label=stage_label, category_label=category_label,
        visit_outcome_label=visit_outcome_label, new_uuid=lambda: str(uuid.uuid4()), route_sketch=route_sketch,
        may_open=may_open, ward_name=ward_name, page_urls=page_urls, this_week_iso=this_week_iso, **CASE_GLOBALS,
    )
