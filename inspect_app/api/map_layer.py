"""The chairman's map: every matching case in one compact, compressed layer (ETag: an unchanged layer
is not sent again), and one case's details when its popup opens."""
import gzip

from flask import Response, current_app, request, url_for

from ..auth.access import login_required
from ..domain.cases import case_map, case_queries, map_layer
from ..domain.geo import geography
from ..extensions import db
from ..i18n import category_label, stage_label
from ..kept_values import kept_values
from ..rules import lifecycle_context
from . import bp

# Level 1 compresses the layer to about 40 %: 14 ms at 100,000 cases against 65 ms for level 5, whose
# layer is only 9 % smaller (docs/BENCHMARKS.md); a new layer is compressed once after each change.
GZIP_LEVEL = 1


@bp.route("/map/cases.json")
@login_required
def map_cases():
    """Every case matching the case-list filters, for drawing: ids, positions, stages, overdue flags
    (map_layer.layer_json says how), with the number of those without a position."""
    filters = case_queries.read_checked_filters(db.session, request.args)
    context = lifecycle_context(current_app.config, geography.get_ward(db.session))
    key = None
    if map_layer.depends_on_cases_only(filters):
        key = (map_layer.layer_version(db.session), context.today, tuple(sorted(filters.as_query().items())))
    bodies = kept_values("map_layers").get(key) if key else None
    if bodies is None:
        bodies = _encoded(map_layer.layer_json(map_layer.map_layer(db.session, filters, context.today)))
        if key:
            kept_values("map_layers").put(key, bodies)
    return _compact_json(bodies)


@bp.route("/map/cases/<int:violation_id>.json")
@login_required
def map_case(violation_id):
    """One case's popup: code, address, category, stage, nearest deadline, overdue, first photo, link."""
    context = lifecycle_context(current_app.config, geography.get_ward(db.session))
    details = case_map.case_details(db.session, violation_id, context.today, context.calendar)
    return with_labels_and_links(details, violation_id)


def with_labels_and_links(properties, violation_id):
    """A case's map properties with the case page's and thumbnail's URLs and the user's labels added."""
    properties["url"] = url_for("cases.show", violation_id=violation_id)
    properties["thumb_url"] = url_for("cases.photo_thumb", public_id=properties["photo"]) if properties["photo"] else None
    properties["stage_label"] = stage_label(properties["stage"])
    properties["category_label"] = category_label(properties["category"])
    return properties


def _encoded(plain):
    return plain, gzip.compress(plain, GZIP_LEVEL, mtime=0)


def _compact_json(bodies):
    plain, compressed = bodies
    response = Response(mimetype="application/json")
    if "gzip" in request.accept_encodings:
        response.set_data(compressed)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(plain)
    response.headers["Vary"] = "Accept-Encoding, Cookie"
    # Asked again on each visit (cases change), answered 304 without the body when nothing did.
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)
