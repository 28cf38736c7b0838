"""The Thống kê page, its XLSX and the monthly report (page and PDF). The chairman and the office see the
whole ward; an inspector sees the cases in their own charge."""
import io
import time
from pathlib import Path

from flask import current_app, flash, render_template, request, send_file
from flask_babel import force_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from ..auth.access import login_required
from ..cases.presenters import request_case_context
from ..domain.accounts.roles import INSPECTOR
from ..domain.cases import statistics, ward_settings
from ..domain.errors import InvalidFields
from ..domain.geo import geography
from ..extensions import db
from ..i18n import category_label, stage_label, translate_error
from ..reports import document, pdf
from ..reports.views import REPORT_CSS, busy_answer
from . import bp, charts, workbook

SERIES = ("new", "closed", "overdue")
STATS_CSS = REPORT_CSS.parent / "stats.css"


def _scope():
    """Whose cases: an inspector's own, or the whole ward."""
    return current_user.id if current_user.role == INSPECTOR else None


def _names(kind, key):
    if kind == "stage":
        return str(stage_label(key))
    if kind == "category":
        return str(category_label(key))
    return key or gettext("No route")


def _week_label(week, index):
    """A week on the axis by its Monday: the year on the first one and on the first week of a year."""
    return week.monday.strftime("%d/%m/%y" if index == 0 or week.monday.day <= 7 and week.monday.month == 1 else "%d/%m")


def _charts(figures):
    weeks = figures.weeks
    return {
        "weeks": charts.line_chart([_week_label(w.week, i) for i, w in enumerate(weeks)],
                                   {key: [getattr(w, key) for w in weeks] for key in SERIES},
                                   label_every=max(1, len(weeks) // 13)),
        "routes": charts.bar_chart([(_names("route", g.key), [g.open, g.closed]) for g in figures.by_route],
                                   ["open", "closed"]),
        "categories": charts.bar_chart([(_names("category", g.key), [g.open, g.closed]) for g in figures.by_category],
                                       ["open", "closed"]),
        "stages": charts.bar_chart([(_names("stage", s.stage), [s.median_days] if s.median_days is not None else None)
                                    for s in figures.stage_days], ["days"], whole=False),
        "coverage": charts.line_chart([_week_label(w, i) for i, (w, _) in enumerate(figures.coverage)],
                                      {code: [shares.get(code, 0.0) for _, shares in figures.coverage]
                                       for code in figures.route_codes},
                                      label_every=max(1, len(figures.coverage) // 13), percent=True),
    }


def _cached(first, last, today, coverage_weeks):
    """The figures of a period for this user's scope, kept STATS_CACHE_S seconds per app process (the page
    says when they were computed): Thống kê reads every case's history, which a reload should not redo."""
    cache = current_app.extensions.setdefault("stats_cache", {})
    key = (first, last, today, _scope(), coverage_weeks)
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    figures = statistics.figures(db.session, first, last, today, _scope(), coverage_weeks=coverage_weeks)
    for stale in [k for k, (expires, _) in cache.items() if expires <= now]:
        del cache[stale]
    cache[key] = (now + current_app.config["STATS_CACHE_S"], figures)
    return figures


def _year_figures():
    today = request_case_context().today
    first, last = statistics.last_52_weeks(today)
    return _cached(first, last, today, current_app.config["STATS_COVERAGE_WEEKS"])


@bp.route("/stats")
@login_required
def index():
    """New, closed and overdue cases per week for 52 weeks; by route and category; days per stage; coverage."""
    figures = _year_figures()
    return render_template("stats/index.html", figures=figures, charts=_charts(figures), names=_names,
                           own_only=_scope() is not None)


@bp.route("/stats.xlsx")
@login_required
def xlsx():
    """The page's tables as an Excel workbook."""
    with force_locale("vi"):
        content = workbook.figures_xlsx(_year_figures(), _names)
    return _download(content, f"thong-ke-{request_case_context().today.isoformat()}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _month_figures():
    """(figures, year, month, ok): this month with the problem flashed when ?month= is not a month."""
    today = request_case_context().today
    try:
        year, month = statistics.read_month(request.args.get("month"), today)
        ok = True
    except InvalidFields as exc:
        flash(f"{gettext('Month')}: {translate_error(exc.errors['month'])}", "error")
        year, month, ok = today.year, today.month, False
    first, last = statistics.month_days(year, month)
    return _cached(first, last, today, None), year, month, ok


def _month_html(figures, year, month, for_pdf=False):
    ward = geography.get_ward(db.session)
    with force_locale("vi"):
        return Markup(render_template(
            "stats/_month_document.html", figures=figures, year=year, month=month, charts=_charts(figures),
            names=_names, doc=document, for_pdf=for_pdf, own_only=_scope() is not None,
            settings=ward_settings.document_settings_of(ward),
            ward_name=ward.name if ward is not None else current_app.config["WARD_NAME"],
            preparer_name=current_user.full_name or current_user.username))


@bp.route("/stats/month")
@login_required
def month():
    """The monthly report (báo cáo tháng, ?month=2026-11): prints on A4 like the weekly list."""
    figures, year, month_number, ok = _month_figures()
    return render_template("stats/month.html", document_html=_month_html(figures, year, month_number),
                           year=year, month=month_number), 200 if ok else 400


@bp.route("/stats/month.pdf")
@login_required
def month_pdf():
    """The monthly report as a PDF (Chromium, the same template and stylesheet as the page)."""
    figures, year, month_number, ok = _month_figures()
    if not ok:
        return render_template("stats/month.html", document_html=_month_html(figures, year, month_number),
                               year=year, month=month_number), 400
    try:
        with pdf.GATE.admit(Path(current_app.instance_path) / "locks", current_user.id):
            html = render_template("reports/weekly_pdf.html", document_html=_month_html(figures, year, month_number, True),
                                   stylesheet=Markup(REPORT_CSS.read_text(encoding="utf-8")
                                                     + STATS_CSS.read_text(encoding="utf-8")),
                                   title=f"Bao cao thang {month_number:02d}-{year}")
            db.session.rollback()  # Chromium takes seconds: hold no database transaction meanwhile
            content = pdf.html_to_pdf(html, pdf.find_chromium(current_app.config.get("CHROMIUM_PATH")))
    except pdf.PdfBusy as exc:
        return busy_answer(exc)
    except pdf.PdfUnavailable as exc:
        return render_template("errors/error.html", status=503, message=translate_error(exc)), 503
    return _download(content, f"bao-cao-thang-{year}-{month_number:02d}.pdf", "application/pdf")


def _download(content, name, mimetype):
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
