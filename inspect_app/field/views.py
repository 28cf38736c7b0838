"""Field pages. Forms that carry photos are sent by the page's script to the JSON API
(api/field.py); the pages here render, and start or end patrols."""
import uuid
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..auth.access import role_required
from ..domain.accounts.roles import INSPECTOR
from ..domain.cases import case_facts
from ..domain.cases.categories import CATEGORIES
from ..domain.errors import DomainError
from ..domain.field import field_reports, patrols
from ..domain.geo import geography
from ..domain.ward_time import local_midnight, local_today
from ..errors import domain_status
from ..extensions import db
from ..home_page import inspector_todo_context, render_home
from ..i18n import translate_error
from ..rules import patrol_rules
from . import bp


def _page_settings():
    config = current_app.config
    return {
        "accuracy_limit_m": config["ACCURACY_WARNING_M"],
        "send_interval_s": config["TRACK_SEND_INTERVAL_S"],
        "nearby_radius_m": config["NEARBY_RADIUS_M"],
        "tile_url": config["TILE_URL"],
        "tile_attribution": config["TILE_ATTRIBUTION"],
    }


@bp.route("/patrols", methods=["POST"])
@role_required(INSPECTOR)
def start_patrol():
    """Start a patrol on the chosen route and open its page."""
    rules = patrol_rules(current_app.config)
    try:
        patrol, _created = patrols.begin_patrol(db.session, current_user, patrols.read_patrol_start(request.form, rules), rules)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(translate_error(exc), "error")
        for problem in getattr(exc, "errors", {}).values():
            flash(translate_error(problem), "error")
        return render_home(domain_status(exc))
    return redirect(url_for("field.patrol", patrol_id=patrol.id))


@bp.route("/patrols/<int:patrol_id>")
@role_required(INSPECTOR)
def patrol(patrol_id):
    """The live patrol page, or its summary once ended."""
    patrol = patrols.get_patrol_for(db.session, patrol_id, current_user)
    return render_template(
        "field/patrol.html",
        patrol=patrol,
        route=patrol.route,
        summary=patrols.live_summary(db.session, patrol, patrol_rules(current_app.config)),
        settings=_page_settings(),
    )


@bp.route("/live")
@role_required(INSPECTOR)
def live():
    """The live page of a patrol started on the phone (?patrol=<uuid>), run from the phone's copy."""
    return render_template("field/live.html", settings=_page_settings())


@bp.route("/patrols/<int:patrol_id>/end", methods=["POST"])
@role_required(INSPECTOR)
def end_patrol(patrol_id):
    """End the patrol: the track, its length and the route coverage are stored."""
    patrol = patrols.get_patrol_for(db.session, patrol_id, current_user)
    patrols.end_patrol(db.session, patrol, current_user, patrol_rules(current_app.config))
    db.session.commit()
    flash(gettext("Patrol ended."), "info")
    return redirect(url_for("field.patrol", patrol_id=patrol.id))


def _patrol_uuid_arg():
    """The patrol UUID a page was opened with (a patrol started offline has no server id yet)."""
    try:
        return str(uuid.UUID(request.args.get("patrol_uuid", "")))
    except ValueError:
        return ""


@bp.route("/report")
@role_required(INSPECTOR)
def report():
    """The violation report form (position, pin, details, photos)."""
    return render_template(
        "field/report.html",
        patrol_id=request.args.get("patrol", type=int),
        patrol_uuid=_patrol_uuid_arg(),
        categories=CATEGORIES,
        report_facts=[case_facts.FACTS[name] for name in case_facts.AT_REPORT],
        client_uuid=str(uuid.uuid4()),
        settings=_page_settings(),
        ward_centre=geography.ward_centre(db.session),
    )


@bp.route("/visit")
@role_required(INSPECTOR)
def visit():
    """The visit form (outcome, note, photos), optionally for a known case."""
    violation = None
    violation_id = request.args.get("case", type=int)
    if violation_id:
        violation = field_reports.get_violation(db.session, violation_id)
    return render_template(
        "field/visit.html",
        patrol_id=request.args.get("patrol", type=int),
        patrol_uuid=_patrol_uuid_arg(),
        violation=violation,
        client_uuid=str(uuid.uuid4()),
        settings=_page_settings(),
    )


@bp.route("/today")
@role_required(INSPECTOR)
def today():
    """My day: today's patrols, visits and reports (local date)."""
    starts = local_midnight(local_today())
    day_patrols, day_visits, day_cases = field_reports.day_of(db.session, current_user, starts, starts + timedelta(days=1))
    photos = field_reports.first_photos(db.session, [c.id for c in day_cases])
    return render_template(
        "field/today.html",
        patrols=day_patrols,
        visits=day_visits,
        cases=day_cases,
        first_photos=photos,
        **inspector_todo_context(current_user),
    )
