"""Case page and photo files (served only through the app, to logged-in users)."""
from flask import abort, current_app, render_template, send_file

from ..auth.access import login_required
from ..domain import field_reports
from ..domain.categories import BY_KEY
from ..domain.photos import photo_file
from ..extensions import db
from ..models import Photo
from . import bp


@bp.route("/<int:violation_id>")
@login_required
def show(violation_id):
    """A case with its details, photos, position and visits."""
    violation = field_reports.get_violation(db.session, violation_id)
    lon, lat = field_reports.violation_lon_lat(db.session, violation)
    return render_template(
        "cases/case.html", case=violation, lon=lon, lat=lat, category=BY_KEY.get(violation.category),
        tile_url=current_app.config["TILE_URL"], tile_attribution=current_app.config["TILE_ATTRIBUTION"],
    )


def _send_photo(photo_id, thumbnail):
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        abort(404)
    name = photo.thumb_name if thumbnail else photo.stored_name
    path = photo_file(current_app.config["PHOTO_DIR"], name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg" if thumbnail else photo.media_type, max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/photos/<int:photo_id>")
@login_required
def photo(photo_id):
    """The photo as uploaded."""
    return _send_photo(photo_id, thumbnail=False)


@bp.route("/photos/<int:photo_id>/thumb")
@login_required
def photo_thumb(photo_id):
    """The photo's thumbnail."""
    return _send_photo(photo_id, thumbnail=True)
