"""JSON and GeoJSON for the app's own pages and for GIS tools such as QGIS."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import exports, field, map_layer, views  # noqa: E402,F401
