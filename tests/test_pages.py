"""Home pages per role, the routes page, the routes GeoJSON and the health check."""
from datetime import UTC

import pytest

from inspect_app.extensions import db

from .conftest import ON_POSTGIS


def test_healthz_names_the_database_and_its_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == ("postgis" if ON_POSTGIS else "spatialite")
    assert body["spatial_version"][0].isdigit()


@pytest.mark.parametrize("username,heading", [
    ("kiemtra", "Bắt đầu làm việc"), ("chutich", "Việc cần làm"), ("quantri", "Văn phòng"),
])
def test_each_role_has_its_own_home_page(client, auth, demo_ward, username, heading):
    auth.login(username, f"{username}-demo")
    html = client.get("/").get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html


def test_routes_page_lists_three_routes_with_lengths_and_unverified_badges(client, auth, demo_ward, app):
    auth.login()
    html = client.get("/routes").get_data(as_text=True)
    for code in ("R1", "R2", "R3"):
        assert f'data-route="{code}"' in html
    assert html.count("Chưa xác minh") >= 3
    assert "Tuyến UBND phường – cầu Rạch Sung" in html
    # Lengths shown are the database's ellipsoidal lengths: R3 is about 6.7 km in the seed notes.
    import re

    lengths = {code: float(m) for code, m in re.findall(r'data-route="(R\d)">.*?data-length-m="([\d.]+)"', html, re.S)}
    assert 1000 < lengths["R1"] < 1200 and 6000 < lengths["R3"] < 7500 and 1500 < lengths["R2"] < 2500


def test_routes_geojson_needs_login(client, demo_ward):
    response = client.get("/api/routes.geojson")
    assert response.status_code == 401
    assert response.get_json()["error"] == "Vui lòng đăng nhập."


def test_routes_geojson_is_a_feature_collection(client, auth, demo_ward):
    auth.login()
    response = client.get("/api/routes.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in collection["features"]}
    assert set(by_code) == {"R1", "R2", "R3"}
    r1 = by_code["R1"]
    assert r1["geometry"]["type"] == "LineString"
    assert r1["geometry"]["coordinates"][0] == pytest.approx([105.5891, 10.1716])
    assert r1["properties"]["verified"] is False and r1["properties"]["corridor_m"] == 50
    assert "Vị trí tạm" in r1["properties"]["source"]


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Không tìm thấy trang." in response.get_data(as_text=True)


def test_unknown_api_path_is_json(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.get_json()["error"]


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_user_text_is_escaped_on_pages(app, client, auth, runner, tmp_path):
    payload = "<script>alert(1)</script>"
    path = tmp_path / "xss.geojson"
    path.write_text(
        '{"type":"Feature","properties":{"code":"RX","name":"%s","source":"%s"},'
        '"geometry":{"type":"LineString","coordinates":[[105.5,10.0],[105.6,10.1]]}}'.replace("%s", payload)
    )
    assert runner.invoke(args=["geo", "import", str(path)]).exit_code == 0
    created = runner.invoke(args=["users", "create", "an.nv", "--role", "inspector", "--password", "mat-khau-dai", "--full-name", payload])
    assert created.exit_code == 0, created.output
    auth.login("an.nv", "mat-khau-dai")
    html = client.get("/routes").get_data(as_text=True)
    assert payload not in html and "&lt;script&gt;" in html


def test_healthz_reports_an_unreachable_database_as_503(tmp_path):
    from .conftest import make_app

    broken = make_app(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite'}", tmp_path)
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_times_are_shown_in_ho_chi_minh_time(app, client, auth, demo_ward):
    from datetime import datetime

    from inspect_app.domain.accounts import accounts

    auth.login("quantri", "quantri-demo")
    with app.app_context():
        user = accounts.find_user(db.session, "kiemtra")
        user.last_login_at = datetime(2026, 11, 26, 20, 30, tzinfo=UTC)
        db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert "27/11/2026 03:30" in html


@pytest.mark.parametrize("username,shown", [("kiemtra", False), ("chutich", False), ("quantri", True)])
def test_admin_link_follows_the_access_policy(client, auth, demo_ward, username, shown):
    auth.login(username, f"{username}-demo")
    assert ('href="/admin/"' in client.get("/").get_data(as_text=True)) is shown


def test_healthz_is_not_ready_on_the_wrong_kind_of_database_or_an_old_schema(app, client):
    """A service started without DATABASE_URL gets an empty SQLite file: /healthz must say so (issue 21)."""
    other = "spatialite" if ON_POSTGIS else "postgis"
    app.config["EXPECTED_DATABASE"] = other
    body = client.get("/healthz")
    assert body.status_code == 503 and body.get_json()["status"] == "not_ready"
    assert f"cấu hình cần {other}" in " ".join(body.get_json()["problems"])
    app.config["EXPECTED_DATABASE"] = "postgis" if ON_POSTGIS else "spatialite"
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        head = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one()
        db.session.execute(db.text("UPDATE alembic_version SET version_num = 'c9d0e1f2a3b4'"))
        db.session.commit()
    try:
        body = client.get("/healthz")
        assert body.status_code == 503 and "flask db upgrade" in " ".join(body.get_json()["problems"])
    finally:
        with app.app_context():
            db.session.execute(db.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
            db.session.commit()


def test_the_wards_certificate_page_shows_the_steps_the_link_and_its_qr_code(app, client, tmp_path):
    """Office-network installations: phones install the ward's authority from a page anyone can open
    (they cannot log in over HTTPS before trusting it): issue 21."""
    import segno

    page = client.get("/ward-ca")
    assert page.status_code == 200 and 'id="ward-ca-none"' in page.get_data(as_text=True)
    assert client.get("/ward-ca.crt").status_code == 404  # a public certificate: nothing to install
    cert = tmp_path / "ward-ca.crt"
    cert.write_bytes(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    app.config.update(WARD_CA_CERT=str(cert), WARD_CA_URL="http://192.168.1.10/ward-ca.crt")
    html = client.get("/ward-ca").get_data(as_text=True)
    assert 'href="http://192.168.1.10/ward-ca.crt"' in html and "Cài đặt → Bảo mật" in html and "Certificate Trust" not in html
    qr = segno.make("http://192.168.1.10/ward-ca.crt", error="m").svg_inline(scale=5, dark="#000", light="#fff")
    assert qr in html  # the QR code of exactly that address
    served = client.get("/ward-ca.crt")
    assert served.status_code == 200 and served.mimetype == "application/x-x509-ca-cert" and served.data == cert.read_bytes()


def test_healthz_tells_the_world_only_ok_or_not_and_the_server_and_admins_why(app, client, auth, demo_ward):
    """Versions and migration names help an attacker pick a flaw: a phone or a monitor elsewhere gets the
    status only; a request from the server itself or an administrator's gets the details (issue 21)."""
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"  # a phone, or a monitor elsewhere
    assert client.get("/healthz").get_json() == {"status": "ok"}
    other = "spatialite" if ON_POSTGIS else "postgis"
    app.config["EXPECTED_DATABASE"] = other
    try:
        answer = client.get("/healthz")
        assert answer.status_code == 503 and answer.get_json() == {"status": "not_ready"}
        assert "problems" in client.get("/healthz", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()  # the server itself
        auth.login("quantri", "quantri-demo")
        assert "problems" in client.get("/healthz").get_json()
        auth.logout()
        auth.login("chutich", "chutich-demo")
        assert "problems" not in client.get("/healthz").get_json()
    finally:
        app.config["EXPECTED_DATABASE"] = "postgis" if ON_POSTGIS else "spatialite"
