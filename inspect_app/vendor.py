"""Third-party browser libraries served by the app from their installed Python packages
(never from a CDN and never copied into the repository): Leaflet from XStatic-Leaflet."""
from flask import Blueprint, send_from_directory
from xstatic.pkg import leaflet

from .auth.access import public

bp = Blueprint("vendor", __name__)
LEAFLET_VERSION = leaflet.VERSION


@bp.route("/leaflet/<path:filename>")
@public
def leaflet_file(filename):
    """Leaflet's script, stylesheet and marker images."""
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 86400)
