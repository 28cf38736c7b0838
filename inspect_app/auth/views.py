"""Login and logout, one's own password and API tokens: parse the form, call domain.accounts, commit, render."""
import re

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from ..domain.accounts import accounts, admin_log, api_tokens, login_limits, login_sessions
from ..domain.errors import N_, AccountInactive, DomainError, InvalidFields, InvalidInput, NotFound
from ..extensions import db
from ..i18n import translate_error
from ..models.types import utcnow
from ..rules import login_rules
from ..security import LAST_SEEN_KEY, SESSION_KEY, safe_next_path
from . import bp
from .access import login_required, public
from .forms import LoginForm


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the login form; log the user in when name and password match."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        name, address, now = accounts.normalise_username(form.username.data), request.remote_addr or "", utcnow()
        try:
            login_limits.check_allowed(db.session, name, address, login_rules(current_app.config), now)
            user = accounts.authenticate(db.session, form.username.data, form.password.data)
        except login_limits.TooManyAttempts as exc:
            flash(translate_error(exc), "error")
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(exc.retry_after_s)
            return response
        except AccountInactive as exc:
            login_limits.log_login_attempt(db.session, name, address, False, now)
            db.session.commit()
            flash(translate_error(exc), "error")
            return render_template("auth/login.html", form=form), 403
        login_limits.log_login_attempt(db.session, name, address, user is not None, now)
        if user is None:
            db.session.commit()
            current_app.logger.info("failed login for %r from %s", name, address)
            flash(gettext("Wrong user name or password."), "error")
            status = 401
        else:
            login_user(user)
            session[SESSION_KEY] = login_sessions.start_session(db.session, user, now)
            session[LAST_SEEN_KEY] = now.timestamp()  # even the first cookie ends after the idle time
            accounts.record_login(user)
            db.session.commit()
            target = safe_next_path(request.args.get("next")) or url_for("main.home")
            if user.must_change_password:
                return redirect(url_for("auth.change_password", next=target))
            return redirect(target)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session, on the server too: a copy of the cookie no longer opens anything."""
    login_sessions.end_session(db.session, session.get(SESSION_KEY), "logout")
    db.session.commit()  # ended on the server first: if this fails, the cookie still names a live session
    session.pop(SESSION_KEY, None)
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Every user changes their own password (the current one is required); other sessions end."""
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        name, address, now = current_user.username, request.remote_addr or "", utcnow()
        try:
            # A wrong current password counts like a failed login: a borrowed session cannot guess it.
            login_limits.check_allowed(db.session, name, address, login_rules(current_app.config), now)
            if form.get("new_password", "") != form.get("repeat_password", ""):
                raise InvalidFields({"repeat_password": InvalidInput(N_("The two new passwords are not the same."))})
            accounts.change_own_password(db.session, current_user, form.get("current_password", ""),
                                         form.get("new_password", ""), current_app.config["MIN_PASSWORD_LENGTH"],
                                         keep_session=session.get(SESSION_KEY))
            login_user(current_user._get_current_object())  # the session follows the new password
            db.session.commit()
        except login_limits.TooManyAttempts as exc:
            return _too_many(exc, render_template("auth/password.html", errors={},
                                                  forced=current_user.must_change_password))
        except InvalidFields as exc:
            errors, status = _refused(exc, name, address, now), 400
        else:
            current_app.logger.info("password changed by %s", current_user.username)
            flash(gettext("Your password has been changed. Your other sessions have ended."), "info")
            return redirect(safe_next_path(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/password.html", errors=errors, forced=current_user.must_change_password), status


def _too_many(exc, page):
    """The form again with the time to wait: 429 and Retry-After."""
    flash(translate_error(exc), "error")
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def _refused(exc, name, address, now):
    """The fields' messages of a refused form; a wrong current password counts as a failed login."""
    db.session.rollback()
    if "current_password" in exc.errors:
        login_limits.log_login_attempt(db.session, name, address, False, now)
        db.session.commit()
    return {field: translate_error(problem) for field, problem in exc.errors.items()}


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The user's own account: the e-mail address for the morning reminder (a new one needs the current
    password, counted like a login) and whether they want it."""
    errors, status = {}, 200
    if request.method == "POST":
        name, address, now = current_user.username, request.remote_addr or "", utcnow()
        try:
            login_limits.check_allowed(db.session, name, address, login_rules(current_app.config), now)
            accounts.set_reminders(db.session, current_user, request.form.get("email", ""),
                                   request.form.get("email_reminders") == "1", request.form.get("current_password", ""))
            db.session.commit()
        except login_limits.TooManyAttempts as exc:
            return _too_many(exc, render_template("auth/account.html", errors={}, form=request.form,
                                                  mail_on=bool(current_app.config.get("MAIL_SERVER"))))
        except InvalidFields as exc:
            errors, status = _refused(exc, name, address, now), 400
        else:
            flash(gettext("Saved."), "info")
            return redirect(url_for("auth.account"))
    form = request.form if request.method == "POST" else {
        "email": current_user.email or "", "email_reminders": "1" if current_user.email_reminders else ""}
    return render_template("auth/account.html", errors=errors, form=form,
                           mail_on=bool(current_app.config.get("MAIL_SERVER"))), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens_page():
    """The user's read-only API tokens for QGIS and scripts: make one (shown once), revoke one."""
    errors, status, shown = {}, 200, None
    if request.method == "POST":
        try:
            if request.form.get("revoke"):
                token_id = request.form.get("revoke", "")
                if not re.fullmatch(r"[0-9]{1,10}", token_id):
                    raise NotFound(N_("There is no such token."))
                token = api_tokens.revoke_token(db.session, current_user, int(token_id), utcnow())
                admin_log.log_admin_action(db.session, current_user, "token.revoke", token.prefix, token.name)
                db.session.commit()
                flash(gettext("The token %(name)s no longer opens anything.", name=token.name), "info")
                return redirect(url_for("auth.api_tokens_page"))
            token, shown = api_tokens.create_token(db.session, current_user, request.form.get("name", ""))
            admin_log.log_admin_action(db.session, current_user, "token.create", token.prefix, token.name)
            db.session.commit()
        except InvalidFields as exc:
            db.session.rollback()
            errors = {name: translate_error(problem) for name, problem in exc.errors.items()}
            status = 400
        except DomainError as exc:  # errors.py imports this package: its status table is not used here
            db.session.rollback()
            flash(translate_error(exc), "error")
            status = 404 if isinstance(exc, NotFound) else 400
    response = make_response(render_template("auth/tokens.html", tokens=api_tokens.tokens_of(db.session, current_user),
                                             shown=shown, errors=errors), status)
    response.headers["Cache-Control"] = "no-store"  # the new token is on this page once
    return response
