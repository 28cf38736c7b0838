"""Who may use which view. Every view declares its policy with one of these decorators;
tests/test_access_policy.py fails when a view has none."""
from functools import wraps

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from ..domain.accounts import accounts, api_tokens, login_sessions
from ..domain.accounts.roles import ROLES
from ..extensions import db
from ..models.types import utcnow
from ..models.user import password_stamp
from ..security import SESSION_KEY, presented_token

PUBLIC = "public"
# What a user who must choose a new password can still open.
_WHILE_CHANGING_PASSWORD = {"auth.change_password", "auth.logout", "auth.login", "static", "main.service_worker",
                            "main.manifest", "main.healthz", "vendor.leaflet_file", "vendor.npm_file", "main.set_language"}


def _declare(view, policy):
    view.access_policy = policy
    return view


def public(view):
    """Anyone, logged in or not, may use this view."""
    return _declare(view, PUBLIC)


def role_required(*roles):
    """Only logged-in, active users with one of these roles; others get 401/redirect or 403."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown or roles}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            if current_user.role not in roles:
                current_app.logger.warning("refused %s %s to %s (%s)", request.method, request.path,
                                           current_user.username, current_user.role)
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapped, frozenset(roles))

    return decorator


def login_required(view):
    """Any logged-in user, whatever the role."""
    return role_required(*ROLES)(view)


def may_open(endpoint):
    """True when the current user's role may use the view behind endpoint (for showing links)."""
    view = current_app.view_functions.get(endpoint)
    policy = getattr(view, "access_policy", None)
    if policy == PUBLIC:
        return True
    return bool(policy) and current_user.is_authenticated and current_user.role in policy


def wants_json():
    """True for API calls, which get JSON errors instead of pages and redirects."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _refuse_anonymous():
    if wants_json():
        response = jsonify(error=gettext("Please log in."))
        response.status_code = 401
        return response
    # next= is a path on this site, with the prefix the app is mounted under (if any), as redirect() takes it.
    here = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=request.script_root + here))


def init_login_manager(app, login_manager):
    """Connect Flask-Login to the users table."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id):
        user_id, _, stamp = str(session_id).partition(":")
        try:
            user = accounts.get_user(db.session, int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or stamp != password_stamp(user.password_hash):
            return None  # the password changed since this session began
        if not user.active or not login_sessions.is_live(db.session, session.get(SESSION_KEY), user.id):
            return None  # logged out (even a copy of the cookie), deactivated, or ended on the server
        return user

    @login_manager.request_loader
    def load_user_from_token(incoming):
        """A read-only API token (Authorization: Bearer …, or HTTP basic with the token as the password), for
        GET and HEAD only: anything that writes needs the login form's session and its CSRF token."""
        secret = presented_token(incoming)
        if secret is None:
            return None
        user = api_tokens.user_of_token(db.session, secret, utcnow())
        if user is None:
            return None
        db.session.commit()  # the "last used" time, written now: the request itself only reads
        g.api_token = True  # no session for it: nothing is written to the cookie (security.end_idle_sessions)
        return user

    @app.before_request
    def send_to_password_change():
        if request.endpoint in _WHILE_CHANGING_PASSWORD or not current_user.is_authenticated:
            return None
        if not current_user.must_change_password:
            return None
        if wants_json():  # the phone's outbox waits, as when logged out, instead of setting items aside
            response = jsonify(error=gettext("Choose a new password first (the administrator set yours)."))
            response.status_code = 401
            return response
        return redirect(url_for("auth.change_password", next=request.full_path if request.query_string else request.path))
