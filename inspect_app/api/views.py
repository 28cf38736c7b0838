"""API views: logged-in users only; errors come back as JSON."""
from flask import jsonify

from ..auth.access import login_required
from ..domain import geography
from ..extensions import db
from . import bp


@bp.route("/routes.geojson")
@login_required
def routes_geojson():
    """The patrol routes as a GeoJSON FeatureCollection."""
    response = jsonify(geography.routes_feature_collection(db.session))
    response.mimetype = "application/geo+json"
    return response
