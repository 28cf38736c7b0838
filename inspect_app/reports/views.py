"""The weekly list page and its downloads. Chairman and admin see every case; an inspector sees
only the cases in their charge."""
import io
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, flash, render_template, request, send_file
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..auth.access import login_required
from ..domain.cases import audit_anchors, case_queries, ward_settings, weekly_list
from ..domain.cases.stages import STAGES
from ..domain.errors import InvalidFields
from ..domain.geo import geography
from ..domain.ward_time import VIETNAM_OFFSET
from ..extensions import db
from ..i18n import translate_error
from ..rules import lifecycle_context
from . import bp, document, exports, pdf

REPORT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "report.css"
FIELD_NAMES = {"week": _l("Week"), "route": _l("Route"), "khu_vuc": _l("Neighbourhood (khu vực)"), "stage": _l("Stage")}


def _read_request():
    """(week, filters, ok): the current week unfiltered, with the problems flashed, when the query is wrong."""
    today = lifecycle_context(current_app.config).today
    try:
        week, filters = weekly_list.read_week_request(request.args, today)
        weekly_list.check_route(db.session, filters)
        return week, filters, True
    except InvalidFields as exc:
        for name, problem in exc.errors.items():
            flash(f"{FIELD_NAMES.get(name, name)}: {translate_error(problem)}", "error")
        return weekly_list.week_of(today), weekly_list.WeeklyFilters(), False


def _build(week, filters):
    # Every role sees the whole ward's list: inspectors share routes and must see each other's cases.
    return weekly_list.build_weekly_list(db.session, week, filters, datetime.now(UTC))


def _calendar():
    return lifecycle_context(current_app.config, geography.get_ward(db.session)).calendar


def _document_settings():
    return ward_settings.document_settings_of(geography.get_ward(db.session))


def _ward_name():
    ward = geography.get_ward(db.session)
    return ward.name if ward is not None else current_app.config["WARD_NAME"]


def _document_html(listing, for_pdf=False):
    """The official document (header, title, table, totals, signatures), always in Vietnamese."""
    fingerprint, fingerprint_cases = audit_anchors.chain_fingerprint(db.session, listing.as_of)
    with force_locale("vi"):
        return Markup(render_template(
            "reports/_weekly_document.html", listing=listing, doc=document, ward_name=_ward_name(), for_pdf=for_pdf,
            settings=_document_settings(), preparer_name=current_user.full_name or current_user.username,
            calendar=_calendar(),
            route_names={r.id: r.name for r in geography.list_routes(db.session)},
            fingerprint=fingerprint, fingerprint_cases=fingerprint_cases,
            fingerprint_until=listing.as_of.astimezone(VIETNAM_OFFSET).strftime("%H:%M:%S %d/%m/%Y"),
            fingerprint_until_iso=listing.as_of.astimezone(UTC).isoformat(timespec="microseconds"),
        ))


def _page(week, filters, ok):
    listing = _build(week, filters)
    return render_template(
        "reports/weekly.html", listing=listing, week=week, filters=filters, document_html=_document_html(listing),
        stages=STAGES, routes=geography.list_routes(db.session),
        khu_vuc_values=case_queries.khu_vuc_values(db.session),
    ), 200 if ok else 400


@bp.route("/weekly")
@login_required
def weekly():
    """The week's list (ISO week in ?week=2026-W48, default this week) with filters; prints on A4 landscape."""
    return _page(*_read_request())


@bp.route("/weekly.pdf")
@login_required
def weekly_pdf():
    """The same list as a PDF, made by Chromium from the same template and stylesheet as the page."""
    week, filters, ok = _read_request()
    if not ok:
        return _page(week, filters, ok)
    try:
        with pdf.GATE.admit(Path(current_app.instance_path) / "locks", current_user.id):
            listing = _build(week, filters)
            html = render_template("reports/weekly_pdf.html", document_html=_document_html(listing, for_pdf=True),
                                   stylesheet=Markup(REPORT_CSS.read_text(encoding="utf-8")),
                                   title=document.file_stem(_ward_name(), week))
            db.session.rollback()  # Chromium takes seconds: hold no database transaction meanwhile
            content = pdf.html_to_pdf(html, pdf.find_chromium(current_app.config.get("CHROMIUM_PATH")))
    except pdf.PdfBusy as exc:
        return busy_answer(exc)
    except pdf.PdfUnavailable as exc:
        flash(translate_error(exc), "error")
        return _page(week, filters, True)[0], 503
    return _download(content, week, "pdf", "application/pdf")


@bp.route("/weekly.xlsx")
@login_required
def weekly_xlsx():
    """The list as an Excel workbook: same columns, real dates, fines as numbers."""
    week, filters, ok = _read_request()
    if not ok:
        return _page(week, filters, ok)
    listing = _build(week, filters)
    with force_locale("vi"):
        content = exports.xlsx_bytes(listing, _ward_name(), _document_settings(),
                                     current_user.full_name or current_user.username, _calendar())
    return _download(content, week, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/weekly.csv")
@login_required
def weekly_csv():
    """The list as CSV in UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly."""
    week, filters, ok = _read_request()
    if not ok:
        return _page(week, filters, ok)
    listing = _build(week, filters)
    with force_locale("vi"):
        content = exports.csv_bytes(listing, _calendar())
    return _download(content, week, "csv", "text/csv; charset=utf-8")


def busy_answer(exc):
    """A light answer to a PDF refused while others print (429, Retry-After): a flood of PDF requests must
    not rebuild the document for each refusal."""
    response = current_app.make_response((render_template("errors/error.html", status=429,
                                                          message=translate_error(exc)), 429))
    response.headers["Retry-After"] = str(current_app.config["BUSY_RETRY_AFTER_S"])
    return response


def _download(content, week, extension, mimetype):
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                         download_name=f"{document.file_stem(_ward_name(), week)}.{extension}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
