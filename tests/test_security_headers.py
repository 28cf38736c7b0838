"""Security headers on every page, and sessions that end after a long idle time."""
from datetime import UTC, datetime, timedelta

from inspect_app.security import LAST_SEEN_KEY, content_security_policy

from .test_cases_web import login


def test_every_response_carries_the_security_headers(app, people):
    client = login(app, "chutich")
    for path in ("/login", "/", "/map/", "/reports/weekly", "/api/routes.geojson", "/static/css/app.css", "/no-such-page"):
        response = client.get(path)
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
        assert "https://tile.openstreetmap.org" in policy and "object-src 'none'" in policy


def test_the_tile_server_in_the_policy_follows_the_setting():
    assert "img-src 'self' data: blob: https://tiles.example.vn" in content_security_policy("https://tiles.example.vn/{z}/{x}/{y}.png")
    assert "https://a.tile.example.org" in content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")


def test_a_session_idle_for_longer_than_the_limit_ends(app, people):
    client = login(app, "chutich")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = (datetime.now(UTC) - timedelta(hours=app.config["SESSION_IDLE_HOURS"], minutes=1)).timestamp()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/map/").status_code == 302  # and it stays ended


def test_an_active_session_goes_on(app, people):
    client = login(app, "chutich")
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = (datetime.now(UTC) - timedelta(hours=app.config["SESSION_IDLE_HOURS"] - 1)).timestamp()
    assert client.get("/").status_code == 200
