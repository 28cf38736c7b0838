"""Views of the main blueprint: thin, they call domain functions and render."""
from datetime import timedelta
from pathlib import Path

import segno
from flask import abort, current_app, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from ..auth.access import login_required, public
from ..domain.accounts import accounts
from ..domain.accounts.roles import ADMIN
from ..domain.cases.todo import NEWS_MAX_DAYS
from ..domain.errors import N_, InvalidFields
from ..domain.geo import geography, spatial
from ..domain.inputs import FieldReader
from ..extensions import db
from ..home_page import render_home
from ..i18n import LANGUAGE_SESSION_KEY, translate_error
from ..models.types import utcnow
from ..operations import readiness
from ..security import safe_next_path
from . import bp
from . import service_worker as worker_files


@bp.route("/")
@login_required
def home():
    """The start page of the logged-in user's role."""
    return render_home()


@bp.route("/news/read", methods=["POST"])
@login_required
def news_read():
    """Mark the news on one's cases read up to the moment the list was shown; back to that page."""
    reader = FieldReader(request.form)
    until = reader.moment("until", utcnow(), timedelta(days=NEWS_MAX_DAYS), timedelta(minutes=5))
    if until is None and not reader.errors:
        reader.error("until", N_("This field is required."))
    try:
        reader.finish()
    except InvalidFields as exc:
        return render_template("errors/error.html", status=400, message=translate_error(exc.errors["until"])), 400
    accounts.mark_news_read(db.session, current_user, until)
    db.session.commit()
    return redirect(safe_next_path(request.form.get("next")) or url_for("main.home"))


@bp.route("/ward-ca")
@public
def ward_ca():
    """How a phone comes to trust the ward's own certificate authority (office-network installations):
    the steps for Android and iPhone, the certificate's link and a QR code of it (opened over http)."""
    cert = current_app.config.get("WARD_CA_CERT")
    url = current_app.config.get("WARD_CA_URL") or url_for("main.ward_ca_cert", _external=True, _scheme="http")
    qr = Markup(segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")) if cert else None
    return render_template("main/ward_ca.html", cert=cert, url=url, qr=qr)


@bp.route("/ward-ca.crt")
@public
def ward_ca_cert():
    """The ward's certificate authority's certificate (404 when the installation uses a public one)."""
    cert = current_app.config.get("WARD_CA_CERT")
    if not cert or not Path(cert).is_file():
        abort(404)
    return send_file(cert, mimetype="application/x-x509-ca-cert", as_attachment=False, download_name="ward-ca.crt",
                     max_age=3600)


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest: the field pages can be added to the phone's home screen."""
    stored = geography.get_ward(db.session)
    ward = stored.name if stored is not None else current_app.config["WARD_NAME"]
    response = jsonify({
        "name": f"Kiểm tra trật tự xây dựng – {ward}", "short_name": "Trật tự XD", "lang": "vi", "dir": "ltr",
        "description": "Tuần tra, báo cáo vi phạm và theo dõi vụ việc trật tự xây dựng",
        "start_url": url_for("field.today"), "scope": url_for("main.home"), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, from the site's root so that it may keep every field page; what it keeps and its
    cache version (a digest of the kept files) come first, as data (main/service_worker.py)."""
    response = current_app.response_class(worker_files.worker_source(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/routes")
@login_required
def routes():
    """The ward's patrol routes with length, corridor and verification status."""
    return render_template("main/routes.html", routes=geography.routes_with_length(db.session))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Remember the chosen language (vi or en) for this session."""
    chosen = request.form.get("lang", "")
    if chosen not in current_app.config["LANGUAGES"]:
        return render_template("errors/error.html", status=400, message=gettext("Choose Vietnamese or English.")), 400
    session[LANGUAGE_SESSION_KEY] = chosen
    return redirect(safe_next_path(request.form.get("next")) or url_for("main.home"))


@bp.route("/healthz")
@public
def healthz():
    """200 or 503 (unreachable, another kind of database than the configuration expects, or not migrated to
    the code's newest migration); the details (database, versions, reasons) only for the server itself and
    administrators: the world learns nothing of the versions it could look up flaws for."""
    detailed = request.remote_addr in ("127.0.0.1", "::1") or (
        current_user.is_authenticated and current_user.role == ADMIN)
    try:
        version = spatial.database_version(db.session)
        not_ready = readiness.problems(db.session, current_app.extensions["migrate"].directory,
                                       current_app.config.get("EXPECTED_DATABASE"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.error("health check failed: %s", exc)
        return jsonify(status="error", **({"database": spatial.database_kind(db.session)} if detailed else {})), 503
    if not_ready:
        reasons = [translate_error(problem) for problem in not_ready]
        current_app.logger.error("not ready: %s", "; ".join(reasons))
        details = {"database": spatial.database_kind(db.session), "problems": reasons} if detailed else {}
        return jsonify(status="not_ready", **details), 503
    if not detailed:
        return jsonify(status="ok")
    return jsonify(status="ok", database=spatial.database_kind(db.session), spatial_version=version)
