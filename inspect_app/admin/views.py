"""Admin pages: users, routes and boundary, the ward's settings, and the log.

Every change is logged (domain/accounts/admin_log.py) in the same transaction as the change itself.
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from ..auth.access import role_required
from ..domain.accounts import accounts, admin_log
from ..domain.accounts.roles import ADMIN, ROLES
from ..domain.cases import ward_settings
from ..domain.cases.deadlines import CALENDAR_DAYS, MONTHS, WORKING_DAYS
from ..domain.cases.deadlines import SOURCES as DAY_SOURCES
from ..domain.errors import N_, DomainError
from ..domain.geo import geography, route_admin
from ..domain.inputs import FieldReader
from ..errors import domain_status
from ..extensions import db
from ..i18n import translate_error
from ..models.types import utcnow
from ..rules import lifecycle_context
from ..uploads import outside_transaction
from . import bp

UNIT_LABELS = {WORKING_DAYS: N_("working days"), CALENDAR_DAYS: N_("calendar days"), MONTHS: N_("months")}
# What the log shows for each kind of change (the stored code stays language-neutral)
LOG_ACTIONS = {
    "user.create": N_("account created"), "user.role": N_("role changed"), "user.full_name": N_("full name changed"),
    "user.deactivate": N_("account deactivated"), "user.reactivate": N_("account reactivated"),
    "user.password": N_("new password set"), "user.delete": N_("account deleted"),
    "geography.import": N_("file imported"), "route.corridor": N_("corridor width changed"),
    "route.verify": N_("route marked verified"), "route.unverify": N_("route marked unverified"),
    "route.track": N_("route redrawn along a patrol track"), "route.retire": N_("route retired"),
    "route.restore": N_("route brought back into use"), "boundary.verify": N_("boundary marked verified"),
    "boundary.unverify": N_("boundary marked unverified"), "ward.settings": N_("ward settings changed"),
    "document_template.upload": N_("document template uploaded"),
    "token.create": N_("API token made"), "token.revoke": N_("API token revoked"),
    "document_template.default": N_("document template back to the default"),
}
USER_CHANGES = ("role", "full_name", "deactivate", "reactivate", "password", "delete")
ROUTE_CHANGES = ("corridor", "verify", "unverify", "track", "retire", "restore")


def _refused(exc):
    """Undo the change and tell the administrator why, in their language."""
    db.session.rollback()
    flash(translate_error(exc), "error")
    for problem in getattr(exc, "errors", {}).values():
        flash(translate_error(problem), "error")
    return domain_status(exc)


@bp.route("/")
@role_required(ADMIN)
def index():
    """Users and routes at a glance, with links to each admin page."""
    return render_template(
        "admin/index.html",
        users=accounts.list_users(db.session),
        routes=geography.routes_with_length(db.session, include_retired=True),
        ward=geography.get_ward(db.session),
    )


def _users_page(status=200, form=None):
    return render_template("admin/users.html", users=accounts.list_users(db.session), roles=ROLES, form=form or {},
                           min_password=current_app.config["MIN_PASSWORD_LENGTH"]), status


@bp.route("/users")
@role_required(ADMIN)
def users():
    """Every account with its role and status, and the form to add one."""
    return _users_page()


@bp.route("/users", methods=["POST"])
@role_required(ADMIN)
def create_user():
    """Add an account."""
    reader = FieldReader(request.form)
    username = reader.text("username", 64, required=True)
    full_name = reader.text("full_name", 120)
    role = reader.choice("role", ROLES, required=True)
    password = request.form.get("password", "")
    try:
        reader.finish()
        user = accounts.create_user(db.session, username, role, password, full_name,
                                    current_app.config["MIN_PASSWORD_LENGTH"])
        admin_log.log_admin_action(db.session, current_user, "user.create", user.username, role)
        db.session.commit()
    except DomainError as exc:
        return _users_page(_refused(exc), form=request.form)
    flash(gettext("Account %(name)s created.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["POST"])
@role_required(ADMIN)
def change_user(user_id):
    """Change a role or full name, deactivate or reactivate, set a new password, or delete an account without records."""
    reader = FieldReader(request.form)
    change = reader.choice("change", USER_CHANGES, required=True)
    try:
        reader.finish()
        user = accounts.get_user_or_fail(db.session, user_id)
        name = user.username
        if change == "role":
            role = reader.choice("role", ROLES, required=True)
            reader.finish()
            previous = accounts.change_role(db.session, user, role, current_user)
            detail, message = f"{previous} → {role}", gettext("Role of %(name)s changed.", name=name)
        elif change == "full_name":
            full_name = reader.text("full_name", 120)
            reader.finish()
            previous = accounts.rename(user, full_name)
            detail, message = f"{previous} → {full_name}", gettext("Full name of %(name)s changed.", name=name)
        elif change in ("deactivate", "reactivate"):
            accounts.set_active(db.session, user, change == "reactivate", current_user)
            detail = ""
            message = gettext("%(name)s can log in again.", name=name) if change == "reactivate" else \
                gettext("%(name)s can no longer log in; their records stay.", name=name)
        elif change == "password":
            accounts.reset_password(db.session, user, request.form.get("password", ""), current_app.config["MIN_PASSWORD_LENGTH"])
            detail, message = "", gettext("New password set for %(name)s. Give it to them in person.", name=name)
        else:
            accounts.delete_user(db.session, user, current_user)
            detail, message = "", gettext("Account %(name)s deleted.", name=name)
        admin_log.log_admin_action(db.session, current_user, f"user.{change}", name, detail)
        db.session.commit()
    except DomainError as exc:
        return _users_page(_refused(exc))
    flash(message, "info")
    return redirect(url_for("admin.users"))


def _geography_page(status=200):
    return render_template(
        "admin/geography.html", routes=geography.routes_with_length(db.session, include_retired=True),
        ward=geography.get_ward(db.session),
        patrols=route_admin.patrols_with_tracks(db.session),
    ), status


@bp.route("/geography")
@role_required(ADMIN)
def geography_page():
    """Routes and the ward boundary: import, redraw from a patrol, verify, corridor width."""
    return _geography_page()


@bp.route("/geography/import", methods=["POST"])
@role_required(ADMIN)
def import_geography():
    """Import a GeoJSON or GPX file in two steps: the file is read and shown on a map with the route's
    code and name (a line mostly outside the ward must be confirmed); then what was shown is stored."""
    upload = request.files.get("file")
    config = current_app.config
    reader = FieldReader(request.form)
    route_code = reader.text("route_code", 16)
    route_name = reader.text("route_name", 200)
    shown = reader.text("geojson", route_admin.MAX_IMPORT_BYTES, multiline=True)
    confirmed = reader.flag("confirm_outside")
    file_name = reader.text("file_name", 200) or (upload.filename if upload else "")
    try:
        reader.finish()
        if not shown:  # step 1: read the file and show it
            data = upload.read(route_admin.MAX_IMPORT_BYTES + 1) if upload else b""
            parsed = outside_transaction(route_admin.parse_uploaded_geography, upload.filename if upload else "", data,
                                         route_code, route_name)
            return _import_preview(parsed, file_name)
        parsed = outside_transaction(route_admin.parse_uploaded_geography, "shown.geojson", shown.encode("utf-8"))
        outside = route_admin.routes_mostly_outside(db.session, parsed)
        if outside and not confirmed:
            return _import_preview(parsed, file_name, status=409, must_confirm=True)
        ward = geography.get_ward(db.session)
        result = geography.import_geography(
            db.session, parsed, ward.name if ward else config["WARD_NAME"],
            ward.code_prefix if ward else config["WARD_CODE_PREFIX"], default_corridor_m=config["DEFAULT_CORRIDOR_M"],
        )
        summary = "; ".join(filter(None, [
            result.boundary and gettext("boundary %(name)s", name=result.boundary),
            result.routes_created and gettext("new routes %(codes)s", codes=" ".join(result.routes_created)),
            result.routes_updated and gettext("replaced routes %(codes)s", codes=" ".join(result.routes_updated)),
            outside and gettext("confirmed although outside the ward: %(codes)s", codes=" ".join(outside)),
        ]))
        admin_log.log_admin_action(db.session, current_user, "geography.import", file_name[:200], summary)
        db.session.commit()
    except DomainError as exc:
        return _geography_page(_refused(exc))
    flash(gettext("Imported: %(summary)s.", summary=summary or "-"), "info")
    return redirect(url_for("admin.geography_page"))


def _import_preview(parsed, file_name, status=200, must_confirm=False):
    existing = {r.code: r for r in geography.list_routes(db.session)}
    return render_template(
        "admin/import_preview.html", parsed=parsed, geojson=route_admin.parsed_as_geojson(parsed), file_name=file_name,
        outside=route_admin.routes_mostly_outside(db.session, parsed), existing=existing, must_confirm=must_confirm,
        tile_url=current_app.config["TILE_URL"], tile_attribution=current_app.config["TILE_ATTRIBUTION"],
    ), status


@bp.route("/routes/<int:route_id>", methods=["POST"])
@role_required(ADMIN)
def change_route(route_id):
    """Change a route's corridor width, mark it verified or not, or redraw it along a patrol's track."""
    reader = FieldReader(request.form)
    change = reader.choice("change", ROUTE_CHANGES, required=True)
    try:
        reader.finish()
        route = route_admin.get_route_or_fail(db.session, route_id)
        if change == "corridor":
            metres = reader.number("corridor_m", 1, 1000, required=True, integer=True)
            reader.finish()
            detail = f"{route_admin.set_corridor(route, metres)} m → {metres} m"
        elif change in ("verify", "unverify"):
            route_admin.set_route_verified(route, change == "verify")
            detail = ""
        elif change == "retire":
            route_admin.retire_route(route, utcnow())
            detail = ""
        elif change == "restore":
            route_admin.restore_route(route)
            detail = ""
        else:
            patrol_id = reader.number("patrol_id", 1, 2**31 - 1, required=True, integer=True)
            reader.finish()
            patrol = route_admin.replace_line_with_track(db.session, route, patrol_id)
            detail = f"patrol #{patrol.id}"
        admin_log.log_admin_action(db.session, current_user, f"route.{change}", route.code, detail)
        db.session.commit()
    except DomainError as exc:
        return _geography_page(_refused(exc))
    flash(gettext("Route %(code)s changed.", code=route.code), "info")
    return redirect(url_for("admin.geography_page"))


@bp.route("/boundary", methods=["POST"])
@role_required(ADMIN)
def change_boundary():
    """Mark the ward boundary verified or unverified."""
    reader = FieldReader(request.form)
    verified = reader.choice("verified", ("yes", "no"), required=True)
    try:
        reader.finish()
        ward = geography.get_ward(db.session)
        route_admin.set_boundary_verified(ward, verified == "yes")
        admin_log.log_admin_action(db.session, current_user, "boundary.verify" if verified == "yes" else "boundary.unverify",
                                   ward.boundary_name or ward.name)
        db.session.commit()
    except DomainError as exc:
        return _geography_page(_refused(exc))
    flash(gettext("Boundary status changed."), "info")
    return redirect(url_for("admin.geography_page"))


def _settings_page(status=200, form=None, errors=None):
    ward = geography.get_ward(db.session)
    context = lifecycle_context(current_app.config, ward)
    language = "vi" if str(get_locale()) == "vi" else "en_US"
    years = [(year, context.calendar.year(year, language)) for year in range(context.today.year - 1, context.today.year + 2)]
    return render_template(
        "admin/settings.html", ward=ward, rules=context.rules, units=UNIT_LABELS, form=form, errors=errors or {},
        days_off=_day_lines(ward_settings.days_off_of(ward)), workdays=_day_lines(ward_settings.days_off_of(ward, "workdays")),
        holidays_not_off=_day_lines(ward_settings.days_off_of(ward, "holidays_not_off")), years=years,
        confirmed=set(ward_settings.confirmed_years_of(ward)), sources=DAY_SOURCES,
        document=ward_settings.document_settings_of(ward), fine_caps=context.caps(),
    ), status


def _day_lines(days):
    return "\n".join(d.strftime("%d/%m/%Y") for d in days)


@bp.route("/settings")
@role_required(ADMIN)
def settings():
    """The ward's name, document prefix, days off and deadline rules."""
    return _settings_page()


@bp.route("/settings", methods=["POST"])
@role_required(ADMIN)
def save_settings():
    """Save the ward's settings; deadlines already set on cases stay as they were computed."""
    ward = geography.get_ward(db.session)
    config_rules = ward_settings.effective_rules(current_app.config["DEADLINE_RULES"], None)
    try:
        settings_input = ward_settings.read_settings_form(request.form, config_rules)
        changed = ward_settings.apply_settings(ward, settings_input)
        if changed:
            admin_log.log_admin_action(db.session, current_user, "ward.settings", ward.name, ", ".join(changed))
        db.session.commit()
    except DomainError as exc:
        errors = {name: translate_error(problem) for name, problem in getattr(exc, "errors", {}).items()}
        db.session.rollback()
        flash(translate_error(exc), "error")
        return _settings_page(domain_status(exc), form=request.form, errors=errors)
    flash(gettext("Settings saved.") if changed else gettext("Nothing was changed."), "info")
    return redirect(url_for("admin.settings"))


@bp.route("/log")
@role_required(ADMIN)
def log():
    """Logins (successful and failed) and every administrative change, newest first."""
    show = request.args.get("show", "all")
    if show not in ("all", "logins", "failed", "changes"):
        show = "all"
    return render_template(
        "admin/log.html", show=show, action_labels=LOG_ACTIONS,
        logins=admin_log.recent_logins(db.session, failed_only=show == "failed") if show != "changes" else [],
        changes=admin_log.recent_changes(db.session) if show in ("all", "changes") else [],
    )
