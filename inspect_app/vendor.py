"""Third-party browser libraries served by the app from installed packages (never from a CDN,
never copied into the repository): Leaflet from XStatic-Leaflet (pip), its plugins from the
npm registry (vendor/package.json, installed by scripts/bootstrap.sh)."""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from xstatic.pkg import leaflet

from .auth.access import public

bp = Blueprint("vendor", __name__)
LEAFLET_VERSION = leaflet.VERSION


@bp.route("/leaflet/<path:filename>")
@public
def leaflet_file(filename):
    """Leaflet's script, stylesheet and marker images."""
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 86400)


NPM_DIR = Path(__file__).resolve().parent.parent / "vendor" / "node_modules"
NPM_FILES = {
    "heat": "leaflet.heat/dist",
    "exifr": "exifr/dist",  # the field forms read a photo's EXIF before downscaling (mini build: JPEG/TIFF, EXIF, GPS)
}


@bp.route("/npm/<package>/<path:filename>")
@public
def npm_file(package, filename):
    """A file of one of the browser libraries from the npm registry (map plugins, exifr)."""
    if package not in NPM_FILES:
        abort(404)
    return send_from_directory(NPM_DIR / NPM_FILES[package], filename, max_age=7 * 86400)
