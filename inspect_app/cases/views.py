"""Case list, case page with its timeline and actions, the chairman's queue, photo files."""
import re
import uuid
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.access import login_required, role_required
from ..documents import filling
from ..domain.accounts import accounts
from ..domain.accounts.roles import ADMIN, CHAIRMAN
from ..domain.cases import case_actions, case_queries, clocks, register, signing, workflow
from ..domain.cases.categories import BY_KEY
from ..domain.errors import DomainError, NeedsConfirmation
from ..domain.field import field_reports
from ..domain.field.photos import photo_file
from ..domain.geo import geography
from ..domain.inputs import FieldReader
from ..errors import domain_status
from ..extensions import db
from ..filters import filter_choices, filters_from_request
from ..i18n import translate_error
from ..models import Photo
from ..uploads import photo_transaction, uploaded_photos
from . import bp
from .presenters import request_case_context
from .queue import decision_context, queue_context, shown_warnings


@bp.route("/")
@login_required
def index():
    """Cases with filters kept in the URL: stage, overdue, due this week, waiting, route, khu vực, category, officer."""
    filters, ok = filters_from_request()
    context = request_case_context()
    page = request.args.get("page", "1")
    listing = case_queries.find_cases(db.session, filters, context.today,
                                      int(page) if re.fullmatch(r"[0-9]{1,6}", page) else 1)
    return render_template(
        "cases/index.html", listing=listing, cases=listing.cases, filters=filters,
        counts=case_queries.stage_counts(db.session), today=context.today,
        unplaced=field_reports.cases_without_position(db.session), **filter_choices(),
    ), 200 if ok else 400


@bp.route("/queue")
@role_required(CHAIRMAN, ADMIN)
def queue():
    """Proposals waiting for the chairman's decision, oldest first."""
    context = request_case_context()
    proposals = case_actions.pending_proposals(db.session)
    return render_template("cases/queue.html", back="queue", **queue_context(proposals, context))


def _render_case(violation, status=200, errors=None, form=None, confirm_outside=False):
    context = request_case_context()
    lon, lat = field_reports.violation_lon_lat(db.session, violation)
    # The placing map starts at the ward's centre: a start, never a position (the pin is pale until set).
    centre = geography.ward_centre(db.session) if lat is None else None
    case_clocks = clocks.clocks_of(violation, violation.events, context.rules[clocks.LIMITATION].citation)
    pending = case_actions.pending_proposals(db.session, violation)
    actions = case_actions.available_actions(db.session, violation, current_user, context.today)
    action_warnings = {action.key: shown_warnings(case_actions.record_warnings(db.session, violation, action, current_user, context))
                       for action, mode in actions if action.fine and mode == "record"}
    return render_template(
        "cases/case.html", case=violation, lon=lon, lat=lat, category=BY_KEY.get(violation.category),
        tile_url=current_app.config["TILE_URL"], tile_attribution=current_app.config["TILE_ATTRIBUTION"],
        actions=actions, action_warnings=action_warnings,
        correctable=case_actions.correctable_entries(violation.events, violation, current_user), outcomes=workflow.OUTCOMES,
        in_charge=case_actions.in_charge(violation, current_user), inspectors=accounts.active_inspectors(db.session),
        extension_kinds=workflow.EXTENSION_KINDS, pending=pending, today=context.today,
        **decision_context(pending, context),
        errors=errors or {}, form=form or {}, rules=context.rules, ward_centre=centre, confirm_outside=confirm_outside,
        case_clocks=case_clocks, running_clocks=clocks.running_for(violation, case_clocks),
        calendar=context.calendar, documents=filling.documents_of(violation),
        evidence=field_reports.photo_evidence(violation, current_app.config["PHOTO_FAR_M"],
                                              timedelta(hours=current_app.config["PHOTO_EARLY_HOURS"])),
    ), status


@bp.route("/<int:violation_id>")
@login_required
def show(violation_id):
    """A case with its details, deadline, timeline of events, photos, visits and the actions the user may take."""
    return _render_case(field_reports.get_violation(db.session, violation_id))


def _failed(violation_id, exc, form):
    """Show the case again, as it is now, with the message and what the user typed."""
    db.session.rollback()
    errors = {name: translate_error(problem) for name, problem in getattr(exc, "errors", {}).items()}
    flash(translate_error(exc), "error")
    for hidden in ("action", "mode", "version", "decision"):  # fields the person cannot see
        if hidden in errors:
            flash(errors[hidden], "error")
    return _render_case(field_reports.get_violation(db.session, violation_id), domain_status(exc), errors, form,
                        confirm_outside=isinstance(exc, NeedsConfirmation) and exc.kind == "outside_ward")


@bp.route("/<int:violation_id>/events", methods=["POST"])
@login_required
def add_event(violation_id):
    """Record an action or propose one; the case page shows the result."""
    context = request_case_context()
    try:
        # Photos of a case event get fresh identifiers: the case version already stops a repeat.
        inp = case_actions.read_action_input(request.form, [], context.today)
        inp.photos = uploaded_photos(str(uuid.uuid4()), context.photo_rules, phone_ids=False)
        with photo_transaction() as files:
            violation = case_actions.load_case_for_change(db.session, violation_id)
            event = case_actions.take_action(db.session, violation, current_user, inp, context, files)
    except DomainError as exc:
        return _failed(violation_id, exc, request.form)
    except IntegrityError as exc:
        return _failed(violation_id, _duplicate_number(exc), request.form)
    flash(gettext("Proposal sent to the chairman.") if event.kind == "proposal" else gettext("Saved."), "info")
    for warning in getattr(event, "signing_warnings", ()):
        flash(translate_error(warning.message), "warning")
    return redirect(url_for("cases.show", violation_id=violation_id) + f"#event-{event.seq}")


@bp.route("/<int:violation_id>/proposals/<int:event_id>", methods=["POST"])
@role_required(CHAIRMAN, ADMIN)
def decide(violation_id, event_id):
    """Approve or reject a proposal."""
    context = request_case_context()
    reader = FieldReader(request.form)
    decision = reader.choice("decision", ("approve", "reject"), required=True)
    version = reader.number("version", 1, 2**31 - 1, required=True, integer=True)
    try:
        note = reader.text("note", 4000, multiline=True)
        reader.finish()
        signed = signing.read_signing(request.form, context.today) if decision == "approve" else None
        violation = case_actions.load_case_for_change(db.session, violation_id)
        event = case_actions.decide(db.session, violation, current_user, event_id, decision == "approve", version,
                                    context, note=note, signed=signed)
        db.session.commit()
    except DomainError as exc:
        return _failed(violation_id, exc, request.form)
    except IntegrityError as exc:
        return _failed(violation_id, _duplicate_number(exc), request.form)
    flash(gettext("Approved: the decision has taken effect.") if decision == "approve" else gettext("Proposal rejected."), "info")
    for warning in getattr(event, "signing_warnings", ()):
        flash(translate_error(warning.message), "warning")
    if request.form.get("back") in ("queue", "home"):
        return redirect(url_for("cases.queue" if request.form["back"] == "queue" else "main.home"))
    return redirect(url_for("cases.show", violation_id=violation_id))


def _duplicate_number(error):
    """A document number taken by a request at the same moment becomes the form's message; any other
    IntegrityError is a bug and is raised again."""
    db.session.rollback()
    refusal = register.refused_duplicate(error)
    if refusal is None:
        raise error
    return refusal


def _send_photo(public_id, thumbnail):
    photo = db.session.scalar(select(Photo).where(Photo.public_id == public_id))
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


@bp.route("/photos/<string(length=32):public_id>")
@login_required
def photo(public_id):
    """The photo as uploaded (by its random public id: photos cannot be found by counting)."""
    return _send_photo(public_id, thumbnail=False)


@bp.route("/photos/<string(length=32):public_id>/thumb")
@login_required
def photo_thumb(public_id):
    """The photo's thumbnail."""
    return _send_photo(public_id, thumbnail=True)
