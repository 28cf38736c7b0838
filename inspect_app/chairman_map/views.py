"""The map page: filters (kept in the URL), the Folium map, week coverage; the overview numbers, asked for
by the page once its cases are drawn."""
from babel.numbers import get_group_symbol
from flask import current_app, flash, jsonify, render_template, request, url_for
from flask_babel import get_locale, gettext

from ..auth.access import role_required
from ..domain.accounts.roles import ADMIN, CHAIRMAN
from ..domain.cases import overview
from ..domain.cases.stages import OPEN_STAGES, STAGES
from ..domain.errors import InvalidInput
from ..domain.geo import geography
from ..domain.ward_time import read_week, week_of
from ..extensions import db
from ..filters import filter_choices, filters_from_request
from ..i18n import stage_label, translate_error
from ..rules import lifecycle_context
from ..security import tile_origin
from . import bp
from .folium_map import rendered_map

STAGE_COLOURS = {"detected": "#f1c232", "warning": "#e69138", "stop_work": "#cc0000",
                 "enforcement": "#674ea7", "closed": "#6aa84f"}


def _read_week(raw, today):
    """(the week asked for, or this week, and the message when the value was not a week)."""
    try:
        return read_week(raw, today), None
    except InvalidInput as problem:
        return week_of(today), translate_error(problem)


@bp.route("/")
@role_required(CHAIRMAN, ADMIN)
def index():
    """The ward map with cases by stage, routes, this week's patrols and what is overdue."""
    context = lifecycle_context(current_app.config)
    filters, ok = filters_from_request()
    status = 200 if ok else 400
    if not ok:
        flash(gettext("The filter was not applied: the whole map is shown."), "error")
    week, week_problem = _read_week(request.args.get("week"), context.today)
    monday = week.monday
    if week_problem:
        flash(week_problem, "error")
        status = 400
    routes_week = overview.patrol_week(db.session, monday)
    labels = {
        "tiles": gettext("Base map"), "boundary": gettext("Ward boundary"), "unverified": gettext("unverified"),
        "tracks": gettext("Patrol tracks of the week"), "uncovered": gettext("Stretches not patrolled this week"),
    }
    ward = geography.get_ward(db.session)
    ward_map = rendered_map(
        overview.boundary_geojson(db.session, ward), routes_week, current_app.config["TILE_URL"],
        current_app.config["TILE_ATTRIBUTION"], labels,
    )
    client = {
        "mapName": ward_map.map_name,
        "controlName": ward_map.control_name,
        "dataUrl": url_for("api.map_cases", **filters.as_query()),
        "caseUrl": url_for("api.map_case", violation_id=0),
        "heatScript": url_for("vendor.npm_file", package="heat", filename="leaflet-heat.js"),
        # Clusters of 96-pixel cells, neighbours closer than 64 px merged (grid_clusters.js); single cases
        # from zoom 17 (a street) on.
        "index": {"cellPx": 96, "mergePx": 64, "maxZoom": 16},
        "groupSeparator": get_group_symbol(get_locale()),
        "refreshAfterMs": 5 * 60 * 1000,
        "layerNames": ward_map.layer_names,
        "stages": [{"key": s, "label": stage_label(s), "colour": STAGE_COLOURS[s]} for s in STAGES],
        "labels": {
            "heat": gettext("Heatmap of cases"),
            "heatFailed": gettext("The heatmap could not be loaded: try again when the network is back."),
            "overdue": gettext("Overdue"),
            "open": gettext("Open the case"),
            "due": gettext("Deadline"),
            "forecast": gettext("forecast"),
            "locate": gettext("Show my position"),
            "fullscreen": gettext("Full screen"),
            "loading": gettext("Loading…"),
            "detailsFailed": gettext("The case's details could not be loaded: try again when the network is back."),
            "here": gettext("{n} cases at this spot"),
            "more": gettext("and {n} more: open the case list to see them all"),
            "inView": gettext("In view: {shown} of the {placed} cases on the map"),
            "unplaced": gettext("{n} cases with no known position (not drawn, counted in the case list)"),
            "loadFailed": gettext(
                "The cases could not be loaded: what the map shows may be out of date. "
                "Move the map or reload the page to try again."
            ),
        },
    }
    return render_template(
        "map/index.html",
        map_header=ward_map.header,
        map_body=ward_map.body,
        map_script=ward_map.script,
        client=client,
        tile_origin=tile_origin(current_app.config["TILE_URL"]),
        filters=filters,
        open_stages=OPEN_STAGES,
        routes_week=routes_week,
        monday=monday,
        week=week,
        **filter_choices(),
    ), status


@bp.route("/overview.json")
@role_required(CHAIRMAN, ADMIN)
def overview_json():
    """The map page's numbers: open cases per stage, new, overdue, waiting, closed this week; open cases per
    route and khu vực. Asked for after the cases are drawn (static/js/map_overview.js): the map first."""
    numbers = overview.overview_numbers(db.session, lifecycle_context(current_app.config).today)
    numbers["per_route"] = [[code, n] for code, n in numbers["per_route"]]
    numbers["per_khu_vuc"] = [[name, n] for name, n in numbers["per_khu_vuc"]]
    response = jsonify(numbers)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
