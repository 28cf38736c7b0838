"""Response headers that keep pages from being framed, sniffed or fed outside scripts, and the
end of a session after a long idle time."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user

from .domain.accounts import api_tokens, login_sessions
from .extensions import db

LAST_SEEN_KEY = "seen"
SESSION_KEY = "sid"  # the server-side session (domain/accounts/login_sessions.py) this cookie belongs to


# Leaflet's default subdomains for a tile URL with {s}: every tile layer of the app (Folium's and
# static/js's L.tileLayer) keeps that default.
TILE_SUBDOMAINS = "abc"


def _tile_hosts(tile_url):
    """(scheme or "", [host, …]) of the tile server: one host per subdomain when the URL has {s}."""
    template = tile_url.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
    parts = urlsplit(template)
    if not parts.netloc:
        return "", []
    hosts = [parts.netloc.replace("{s}", s) for s in TILE_SUBDOMAINS] if "{s}" in parts.netloc else [parts.netloc]
    return parts.scheme, hosts


def tile_origin(tile_url):
    """The tile server's origin to open a connection to ("https://host", the first subdomain when the URL has
    {s}; "//host" when the URL names no scheme), or "" when the tiles come from the app itself."""
    scheme, hosts = _tile_hosts(tile_url)
    if not hosts:
        return ""
    return f"{scheme}://{hosts[0]}" if scheme else f"//{hosts[0]}"


def tile_sources(tile_url):
    """The tile server as Content-Security-Policy sources, each subdomain named (never a wildcard that would
    let a whole parent domain in); without a scheme when the URL names none (the page's own then applies)."""
    scheme, hosts = _tile_hosts(tile_url)
    return " ".join(f"{scheme}://{host}" if scheme else host for host in hosts)


def content_security_policy(tile_url):
    """The app's own files, plus images from the tile server; inline scripts are allowed because
    Folium writes the map's set-up inline (every user text reaching a page is escaped)."""
    tiles = tile_sources(tile_url)
    return "; ".join((
        "default-src 'self'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}".strip(), "connect-src 'self'", "worker-src 'self'",
        "manifest-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'",
    ))


def presented_token(incoming) -> str | None:
    """The API token a read (GET or HEAD) brings (Bearer, or the password of HTTP basic), or None. Only our
    tokens count: a proxy's own basic authentication in front of the app is not one."""
    credentials = incoming.authorization
    if incoming.method not in ("GET", "HEAD") or credentials is None:
        return None
    secret = credentials.token if credentials.type == "bearer" else credentials.password
    return secret if secret and secret.startswith(api_tokens.PREFIX) else None


def carries_token(incoming) -> bool:
    """A read that brings an API token: it has nothing to do with a cookie session, neither reading one nor
    writing one."""
    return presented_token(incoming) is not None


class TokenAwareSessions(SecureCookieSessionInterface):
    """The cookie session, except for a token's request: it gets an empty session that is never saved, so
    a cookie the client holds (from /login, say) cannot make it anonymous under Flask-Login's strong
    protection, and no cookie is ever set or cleared for it."""

    def open_session(self, app, incoming):
        """An empty session for a token's request, else the cookie's."""
        if carries_token(incoming):
            return self.session_class()
        return super().open_session(app, incoming)

    def save_session(self, app, session_, response):
        """Nothing for a token's request, else the cookie as usual."""
        if carries_token(request):
            return None
        return super().save_session(app, session_, response)


def init_app(app):
    """Add the headers to every response, keep token requests out of sessions, and end idle sessions."""
    app.session_interface = TokenAwareSessions()
    policy = content_security_policy(app.config["TILE_URL"])

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
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
