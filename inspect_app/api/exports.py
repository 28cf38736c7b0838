"""Data GIS tools open: cases (GeoJSON, KML, GeoPackage, with the case list's filters and search), a
patrol's and a week's tracks (GPX, GeoJSON), routes and boundary (GeoJSON, KML, GPX). GET only, so an API
token (Authorization: Bearer, or HTTP basic with the token as password) opens them from QGIS."""
from flask import current_app, request, url_for
from flask_login import current_user

from ..auth.access import login_required
from ..cases.presenters import request_case_context
from ..domain.accounts.roles import INSPECTOR
from ..domain.cases import case_queries
from ..domain.cases.case_layer import cases_layer
from ..domain.field import patrols
from ..domain.field.track_layer import patrols_of_week, tracks_layer
from ..domain.geo import geography
from ..domain.geo.gis_files import FORMATS, Layer, write_layer
from ..domain.ward_time import local_today, read_week
from ..extensions import db
from ..i18n import category_label, stage_label
from ..rules import patrol_rules
from . import bp


def _send(layer: Layer, format_key: str, filename: str):
    kind = FORMATS[format_key]
    response = current_app.response_class(write_layer(layer, format_key), mimetype=kind.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind.extension}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _names(kind, key):
    return str(stage_label(key) if kind == "stage" else category_label(key))


@bp.route("/exports/cases.<any(geojson, kml, gpkg):format_key>")
@login_required
def export_cases(format_key):
    """The cases the case list shows for the same filters and search, every one of them, as a GIS file."""
    filters = case_queries.read_checked_filters(db.session, request.args)
    layer = cases_layer(db.session, filters, request_case_context(), _names,
                        lambda case_id: url_for("cases.show", violation_id=case_id, _external=True))
    return _send(layer, format_key, f"vu-viec-{local_today().isoformat()}")


@bp.route("/exports/patrols/<int:patrol_id>.<any(gpx, geojson):format_key>")
@login_required
def export_patrol(patrol_id, format_key):
    """One patrol's track (an inspector's own; the chairman and office any)."""
    patrol = patrols.get_patrol_for(db.session, patrol_id, current_user, owner_only=current_user.role == INSPECTOR)
    layer = tracks_layer(db.session, [patrol], patrol_rules(current_app.config), "track")
    return _send(layer, format_key, f"tuan-tra-{patrol.id}")


@bp.route("/exports/weeks/<week>/tracks.<any(gpx, geojson):format_key>")
@login_required
def export_week_tracks(week, format_key):
    """The week's patrol tracks (2026-W48): an inspector's own, or every inspector's for the chairman and office."""
    chosen = read_week(week, local_today())
    layer = tracks_layer(db.session, patrols_of_week(db.session, chosen, current_user), patrol_rules(current_app.config),
                         "tracks")
    return _send(layer, format_key, f"tuan-tra-{chosen.iso}")


@bp.route("/exports/routes.<any(geojson, kml, gpx):format_key>")
@login_required
def export_routes(format_key):
    """Every patrol route (retired ones flagged) with its exact line."""
    return _send(geography.routes_layer(db.session), format_key, "tuyen-tuan-tra")


@bp.route("/exports/boundary.<any(geojson, kml, gpx):format_key>")
@login_required
def export_boundary(format_key):
    """The ward's boundary, with whether it was checked on the ground."""
    return _send(geography.boundary_layer(db.session), format_key, "ranh-gioi")
