"""Login and logout views: parse the form, call domain.accounts, commit, render."""
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from ..config import login_rules
from ..domain import accounts, login_limits
from ..domain.errors import AccountInactive
from ..extensions import db
from ..models.types import utcnow
from ..i18n import translate_error
from . import bp
from .access import login_required, public
from .forms import LoginForm


def _safe_next(target):
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return None  # a CR/LF would split the Location header; a backslash is "/" to some browsers
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


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
            login_limits.record_attempt(db.session, name, address, False, now)
            db.session.commit()
            flash(translate_error(exc), "error")
            return render_template("auth/login.html", form=form), 403
        login_limits.record_attempt(db.session, name, address, user is not None, now)
        if user is None:
            db.session.commit()
            current_app.logger.info("failed login for %r from %s", name, address)
            flash(gettext("Wrong user name or password."), "error")
            status = 401
        else:
            login_user(user)
            accounts.record_login(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session."""
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))
