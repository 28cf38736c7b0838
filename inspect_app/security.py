"""Response headers that keep pages from being framed, sniffed or fed outside scripts, and the
end of a session after a long idle time."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import g, request, session
from flask_login import current_user, logout_user

from .domain.accounts import login_sessions
from .extensions import db

LAST_SEEN_KEY = "seen"
SESSION_KEY = "sid"  # the server-side session (domain/accounts/login_sessions.py) this cookie belongs to


def content_security_policy(tile_url):
    """The app's own files, plus images from the tile server; inline scripts are allowed because
    Folium writes the map's set-up inline (every user text reaching a page is escaped)."""
    parts = urlsplit(tile_url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    tiles = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return "; ".join((
        "default-src 'self'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}".strip(), "connect-src 'self'", "worker-src 'self'",
        "manifest-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'",
    ))


def init_app(app):
    """Add the headers to every response and end idle sessions."""
    policy = content_security_policy(app.config["TILE_URL"])

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if g.get("api_token"):
            # A token's request never starts a session (a page's CSRF token would otherwise set a cookie,
            # and that cookie, with no login in it, would make the next request anonymous).
            session.modified = False
        return response

    @app.before_request
    def end_idle_sessions():
        # Files need no user; looking one up would also run Flask-Login's session check on the
        # service worker's own file requests, which some browsers send with another User-Agent.
        if request.endpoint in ("static", "main.service_worker", "main.manifest") or request.path.startswith("/vendor/"):
            return
        if not current_user.is_authenticated or g.get("api_token"):
            return  # a token's request has no session to keep alive or to end
        now = datetime.now(UTC).timestamp()
        seen = session.get(LAST_SEEN_KEY)
        if seen is not None and now - seen > app.config["SESSION_IDLE_HOURS"] * 3600:
            login_sessions.end_session(db.session, session.get(SESSION_KEY), "idle")
            db.session.commit()
            session.pop(SESSION_KEY, None)
            logout_user()
            session.pop(LAST_SEEN_KEY, None)
            return
        if seen is None or now - seen > 60 or request.method != "GET":  # no cookie rewrite on every request
            session[LAST_SEEN_KEY] = now


def safe_next_path(target):
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return None  # a CR/LF would split the Location header; a backslash is "/" to some browsers
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
