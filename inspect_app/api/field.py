"""JSON endpoints the phone's scripts call: track points, reports, visits, nearby cases, GeoJSON."""
from flask import current_app, jsonify, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..auth.access import login_required, role_required
from ..domain.accounts.roles import INSPECTOR
from ..domain.cases import case_map, case_queries
from ..domain.cases.stages import CLOSED
from ..domain.errors import N_, InvalidInput, NeedsConfirmation
from ..domain.field import field_reports, patrols
from ..domain.geo import geography
from ..domain.inputs import FieldReader
from ..errors import domain_error_payload
from ..extensions import db
from ..i18n import stage_label
from ..models.types import utcnow
from ..rules import field_rules, lifecycle_context, patrol_rules
from ..uploads import photo_transaction, uploaded_photo, uploaded_photos
from . import bp
from .map_layer import with_labels_and_links


def _json_body():
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: not a body any phone sends
        body = None
    if not isinstance(body, dict):
        raise InvalidInput(N_("The request body must be a JSON object."))
    return body


@bp.route("/patrols/<int:patrol_id>/points", methods=["POST"])
@role_required(INSPECTOR)
def add_track_points(patrol_id):
    """Store a batch of GPS points of the user's open patrol (repeats are ignored)."""
    patrol = patrols.get_patrol_for(db.session, patrol_id, current_user)
    result = patrols.add_track_points(
        db.session, patrol, current_user, _json_body().get("points"), patrol_rules(current_app.config)
    )
    db.session.commit()
    return jsonify(result)


def _patrol_body(patrol):
    return {"id": patrol.id, "client_uuid": patrol.client_uuid, "status": patrol.status,
            "started_at": patrol.started_at.isoformat(), "ended_at": patrol.ended_at.isoformat() if patrol.ended_at else None,
            "url": url_for("field.patrol", patrol_id=patrol.id)}


@bp.route("/patrols", methods=["POST"])
@role_required(INSPECTOR)
def start_patrol():
    """Start a patrol from the phone's outbox: {client_uuid, route_id, started_at}; 201 new, 200 repeat."""
    rules = patrol_rules(current_app.config)
    start = patrols.read_patrol_start(_json_body(), rules)
    patrol, created = patrols.begin_patrol(db.session, current_user, start, rules)
    db.session.commit()
    return jsonify(_patrol_body(patrol)), 201 if created else 200


@bp.route("/patrols/<uuid:client_uuid>/points", methods=["POST"])
@role_required(INSPECTOR)
def add_track_points_by_uuid(client_uuid):
    """Store a batch of GPS points of the patrol the phone knows by its UUID (repeats are ignored)."""
    patrol = patrols.get_patrol_by_uuid(db.session, str(client_uuid), current_user)
    result = patrols.add_track_points(
        db.session, patrol, current_user, _json_body().get("points"), patrol_rules(current_app.config)
    )
    db.session.commit()
    return jsonify(result)


@bp.route("/patrols/<uuid:client_uuid>/end", methods=["POST"])
@role_required(INSPECTOR)
def end_patrol_by_uuid(client_uuid):
    """End the patrol the phone knows by its UUID, at the phone's time {ended_at}; ending twice changes nothing."""
    rules = patrol_rules(current_app.config)
    reader = FieldReader(_json_body())
    ended_at = reader.moment("ended_at", utcnow(), rules.max_offline, rules.future_tolerance)
    reader.finish()
    patrol = patrols.get_patrol_by_uuid(db.session, str(client_uuid), current_user)
    patrols.end_patrol(db.session, patrol, current_user, rules, ended_at=ended_at)
    db.session.commit()
    return jsonify(_patrol_body(patrol))


@bp.route("/photos", methods=["POST"])
@role_required(INSPECTOR)
def add_photo():
    """One photo of a report or visit, sent on its own: fields record_uuid, photo_uuid, file photo; 201 new, 200 repeat."""
    reader = FieldReader(request.form)
    owner_uuid = reader.uuid("record_uuid")  # the field's name in phones' outboxes: kept as it is
    photo_uuid = reader.uuid("photo_uuid")
    storage = request.files.get("photo")
    if storage is None or not (storage.filename or storage.content_length):
        reader.error("photo", N_("Choose a photo."))
    reader.finish()
    rules = field_rules(current_app.config, geography.get_ward(db.session))
    photo_in = uploaded_photo(photo_uuid, storage, rules)
    with photo_transaction() as files:
        photo, created = field_reports.add_photo_to_report_or_visit(db.session, current_user, owner_uuid, photo_in, rules, files)
    return jsonify({"id": photo.id, "client_uuid": photo.client_uuid, "sha256": photo.sha256, "created": created}), \
        201 if created else 200


def case_summary(violation, distance_m=None, photo=None):
    """What the phone shows of a case in lists (nearby, follow-up)."""
    data = {
        "id": violation.id, "code": violation.code, "address": violation.address, "khu_vuc": violation.khu_vuc,
        "stage": violation.stage, "stage_label": stage_label(violation.stage),
        "url": url_for("cases.show", violation_id=violation.id),
        "thumb_url": url_for("cases.photo_thumb", public_id=photo.public_id) if photo else None,
    }
    if distance_m is not None:
        data["distance_m"] = round(distance_m, 1)
    return data


def _nearby_payload(pairs):
    photos = field_reports.first_photos(db.session, [v.id for v, _ in pairs])
    return [case_summary(v, d, photos.get(v.id)) for v, d in pairs]


@bp.route("/violations/open.json")
@login_required
def open_violations():
    """Open cases with their positions: the phone keeps this list to check nearby cases with no network."""
    cases = []
    for violation, lon, lat in field_reports.open_case_positions(db.session):
        summary = case_summary(violation)
        summary.update(lon=lon, lat=lat)
        cases.append(summary)
    return jsonify(at=utcnow().isoformat(), radius_m=current_app.config["NEARBY_RADIUS_M"], cases=cases)


@bp.route("/violations/nearby")
@login_required
def nearby_violations():
    """Open cases near a point (default radius from the settings), nearest first."""
    reader = FieldReader(request.args)
    lon, lat = reader.position("lon", "lat")
    radius = reader.number("radius", 1, 2000) or current_app.config["NEARBY_RADIUS_M"]
    reader.finish()
    pairs = field_reports.nearby_open_cases(db.session, lon, lat, radius)
    return jsonify(radius_m=radius, cases=_nearby_payload(pairs))


@bp.route("/violations", methods=["POST"])
@role_required(INSPECTOR)
def report_violation():
    """Create a case from the report form with its photos: 201 new, 200 repeat, 409 to confirm."""
    report = field_reports.read_violation_report(request.form, [])
    rules = field_rules(current_app.config, geography.get_ward(db.session))
    report.photos = uploaded_photos(report.client_uuid, rules)
    try:
        with photo_transaction() as files:
            violation, created = field_reports.report_violation(db.session, current_user, report, rules, files)
    except NeedsConfirmation as exc:
        payload = domain_error_payload(exc)
        if exc.kind == "nearby":
            payload["cases"] = _nearby_payload(exc.details)
        return jsonify(payload), 409
    body = {"id": violation.id, "code": violation.code, "url": url_for("cases.show", violation_id=violation.id),
            "photos": len(violation.photos), "created": created}
    return jsonify(body), 201 if created else 200


@bp.route("/visits", methods=["POST"])
@role_required(INSPECTOR)
def log_visit():
    """Record a visit with its photos: 201 new, 200 repeat."""
    report = field_reports.read_visit_report(request.form, [])
    rules = field_rules(current_app.config, geography.get_ward(db.session))
    report.photos = uploaded_photos(report.client_uuid, rules)
    with photo_transaction() as files:
        visit, created = field_reports.log_visit(db.session, current_user, report, rules, files)
    body = {"id": visit.id, "created": created, "photos": len(visit.photos),
            "case_url": url_for("cases.show", violation_id=visit.violation_id) if visit.violation_id else None}
    case = visit.violation
    if case is not None and case.stage == CLOSED and report.outcome == "follow_up":
        # Sent from a phone that did not know yet: the visit is kept with the case, and the inspector is told.
        body["notice"] = gettext("Case %(code)s was closed meanwhile; the visit is kept with it for the office.",
                                 code=case.code)
    return jsonify(body), 201 if created else 200


@bp.route("/patrols/<int:patrol_id>.geojson")
@login_required
def patrol_geojson(patrol_id):
    """A patrol's track and route as GeoJSON (inspectors see their own patrols)."""
    patrol = patrols.get_patrol_for(db.session, patrol_id, current_user, owner_only=current_user.role == INSPECTOR)
    response = jsonify(patrols.patrol_feature_collection(db.session, patrol))
    response.mimetype = "application/geo+json"
    return response


@bp.route("/violations.geojson")
@login_required
def violations_geojson():
    """Cases as GeoJSON points; `bbox=minlon,minlat,maxlon,maxlat` limits them to an area, and the
    case-list filters (stage, route, khu_vuc, category, officer, date_from, date_to, overdue) apply."""
    bbox = _read_bbox(request.args["bbox"]) if request.args.get("bbox") else None
    filters = case_queries.read_checked_filters(db.session, request.args)
    context = lifecycle_context(current_app.config, geography.get_ward(db.session))
    collection = case_map.violations_feature_collection(db.session, bbox, filters=filters, today=context.today,
                                                             calendar=context.calendar)
    for feature in collection["features"]:
        with_labels_and_links(feature["properties"], feature["id"])
    response = jsonify(collection)
    response.mimetype = "application/geo+json"
    return response


def _read_bbox(text_value):
    parts = text_value.split(",")
    # Not strict: a missing part is reported as "required" by the reader.
    reader = FieldReader(dict(zip(("minlon", "minlat", "maxlon", "maxlat"), parts, strict=False)))
    values = (reader.number("minlon", -180, 180, True), reader.number("minlat", -90, 90, True),
              reader.number("maxlon", -180, 180, True), reader.number("maxlat", -90, 90, True))
    if len(parts) != 4 or reader.errors or values[0] > values[2] or values[1] > values[3]:
        raise InvalidInput(N_("bbox must be four numbers: minlon,minlat,maxlon,maxlat (WGS84), min before max."))
    return values
