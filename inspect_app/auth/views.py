"""Login and logout views: parse the form, call domain.accounts, commit, render."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from ..domain import accounts
from ..domain.errors import AccountInactive
from ..extensions import db
from ..i18n import translate_error
from . import bp
from .access import login_required, public
from .forms import LoginForm


def _safe_next(target):
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
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
        try:
            user = accounts.authenticate(db.session, form.username.data, form.password.data)
        except AccountInactive as exc:
            flash(translate_error(exc), "error")
            return render_template("auth/login.html", form=form), 403
        if user is None:
            current_app.logger.info("failed login for %r from %s", form.username.data[:64], request.remote_addr)
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
