"""Security headers on every page, and sessions that end after a long idle time."""
from datetime import UTC, datetime, timedelta

from inspect_app.security import LAST_SEEN_KEY, content_security_policy, tile_origin

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
    # Leaflet asks a., b. and c. in turn for {s}: each is named, and nothing else is let in.
    policy = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://a.tile.example.org https://b.tile.example.org https://c.tile.example.org;" in policy
    policy = content_security_policy("https://tile-{s}.example.org:8080/{z}/{x}/{y}.png")
    hosts = " ".join(f"https://tile-{s}.example.org:8080" for s in "abc")
    assert f"img-src 'self' data: blob: {hosts};" in policy
    assert "*" not in policy
    # A URL with no scheme: the page's own scheme applies, as it does for the images.
    assert "img-src 'self' data: blob: a.tile.example.org b.tile.example.org c.tile.example.org;" in content_security_policy(
        "//{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob:;" in content_security_policy("/tiles/{z}/{x}/{y}.png")


def test_the_map_opens_a_connection_to_one_tile_server():
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://a.tile.example.org"
    assert tile_origin("https://tiles.example.vn/{z}/{x}/{y}.png") == "https://tiles.example.vn"
    assert tile_origin("//{s}.tile.example.org/{z}/{x}/{y}.png") == "//a.tile.example.org"
    assert tile_origin("/tiles/{z}/{x}/{y}.png") == ""


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
