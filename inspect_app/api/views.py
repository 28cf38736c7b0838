"""API views: logged-in users only; errors come back as JSON."""
from flask import current_app, jsonify
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..auth.access import login_required
from ..domain.geo import geography
from ..extensions import db
from . import bp


@bp.route("/routes.geojson")
@login_required
def routes_geojson():
    """The patrol routes as a GeoJSON FeatureCollection."""
    response = jsonify(geography.routes_feature_collection(db.session))
    response.mimetype = "application/geo+json"
    return response


@bp.route("/session")
@login_required
def session_info():
    """Who is logged in and a fresh CSRF token: the phone's outbox asks before it sends."""
    response = jsonify(csrf_token=generate_csrf(), username=current_user.username, role=current_user.role,
                       max_server_errors=current_app.config["OUTBOX_MAX_SERVER_ERRORS"])
    response.headers["Cache-Control"] = "no-store"
    return response
