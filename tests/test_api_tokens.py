"""Read-only API tokens for QGIS and scripts: made on the account page and shown once, stored hashed,
sent as a Bearer token or as the HTTP basic password, the user's own rights for reading only, and
nothing once revoked or once the account is deactivated."""
import base64
import hashlib
import re

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import ApiToken, User

from .conftest import csrf_token_from
from .factories import make_case
from .test_cases_web import login


def _make_token(client, name="QGIS ở văn phòng"):
    page = client.get("/account/tokens").get_data(as_text=True)
    response = client.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "name": name})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return re.search(r'id="token-secret">([^<]+)<', response.get_data(as_text=True)).group(1)


def _basic(secret, user="qgis"):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def test_a_token_is_shown_once_stored_hashed_and_reads_as_its_user(app, people):
    with app.app_context():
        make_case(db.session, people["inspector"], code="TL-2026-0042")
        db.session.commit()
    client = login(app, "chutich")
    secret = _make_token(client)
    assert secret.startswith("tlk_") and len(secret) > 40
    page = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in page and secret[:10] in page and "QGIS ở văn phòng" in page  # never shown again
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored.token_hash
    anonymous = app.test_client()
    for headers in ({"Authorization": f"Bearer {secret}"}, _basic(secret)):
        response = anonymous.get("/api/violations.geojson", headers=headers)
        assert response.status_code == 200, headers
        assert [f["properties"]["code"] for f in response.get_json()["features"]] == ["TL-2026-0042"]
        assert "Set-Cookie" not in response.headers  # no session is started for a token
    assert anonymous.get("/api/violations.geojson").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_token_has_its_users_rights_only(app, people):
    inspector = login(app, "kiemtra")
    secret = _make_token(inspector)
    anonymous = app.test_client()
    assert anonymous.get("/cases/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert anonymous.get("/admin/users", headers={"Authorization": f"Bearer {secret}"}).status_code == 403


def test_a_token_never_writes(app, people, db_snapshot):
    secret = _make_token(login(app, "chutich"))
    before = db_snapshot()
    anonymous = app.test_client()
    for path in ("/api/violations", "/account/tokens", "/admin/users"):
        response = anonymous.post(path, headers={"Authorization": f"Bearer {secret}"}, data={"name": "x"})
        assert response.status_code in (302, 400, 401), (path, response.status_code)
    after = db_snapshot()
    after.pop("api_tokens"), before.pop("api_tokens")  # only the "last used" time of a read may move
    assert after == before


def test_revoked_wrong_and_deactivated_tokens_open_nothing(app, people):
    client = login(app, "chutich")
    kept, revoked = _make_token(client, "giữ"), _make_token(client, "thu hồi")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "thu hồi"))
    page = client.get("/account/tokens").get_data(as_text=True)
    response = client.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "revoke": str(token_id)})
    assert response.status_code == 302
    anonymous = app.test_client()
    bearer = lambda secret: {"Authorization": f"Bearer {secret}"}  # noqa: E731
    assert anonymous.get("/api/violations.geojson", headers=bearer(revoked)).status_code == 401
    assert anonymous.get("/api/violations.geojson", headers=bearer(kept)).status_code == 200
    assert anonymous.get("/api/violations.geojson", headers=bearer(kept[:-1] + "x")).status_code == 401
    assert anonymous.get("/api/violations.geojson", headers=bearer("mat-khau-dai")).status_code == 401  # not a password
    assert anonymous.get("/api/violations.geojson", headers=_basic("mat-khau-dai", "chutich")).status_code == 401
    with app.app_context():
        user = db.session.get(User, people["chairman"])
        user.active = False
        db.session.commit()
    assert anonymous.get("/api/violations.geojson", headers=bearer(kept)).status_code == 401


def test_someone_elses_token_cannot_be_revoked_and_names_are_checked(app, people, db_snapshot):
    secret = _make_token(login(app, "chutich"))
    assert secret
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    other = login(app, "kiemtra")
    page = other.get("/account/tokens").get_data(as_text=True)
    before = db_snapshot()
    assert other.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "revoke": str(token_id)}).status_code == 404
    for name in ("", "x" * 101, "tên\x00"):
        response = other.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "name": name})
        assert response.status_code == 400 and "tên" in response.get_data(as_text=True).lower()
    assert db_snapshot() == before


def test_a_client_holding_a_cookie_still_reads_with_its_token_and_gets_no_cookie(app, people):
    secret = _make_token(login(app, "chutich"))
    script = app.test_client()
    script.get("/login")  # a cookie from the site, as a requests.Session or QGIS's cookie jar keeps one
    for _ in range(2):
        response = script.get("/api/violations.geojson", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_tokens_end_with_an_administrators_password_reset_and_a_deactivation(app, people):
    from inspect_app.domain.accounts import accounts

    secrets = {}
    for username, key in (("kiemtra", "inspector"), ("kiemtra2", "inspector2")):
        secrets[key] = _make_token(login(app, username))
    with app.app_context():
        admin = db.session.get(User, people["admin"])
        accounts.reset_password(db.session, db.session.get(User, people["inspector"]), "mat-khau-moi-dai", 8)
        accounts.set_active(db.session, db.session.get(User, people["inspector2"]), False, admin)
        db.session.commit()
        accounts.set_active(db.session, db.session.get(User, people["inspector2"]), True, admin)
        user = db.session.get(User, people["inspector"])
        user.must_change_password = False  # as after the user chose a new password
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0
    anonymous = app.test_client()
    for secret in secrets.values():
        assert anonymous.get("/api/violations.geojson", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_odd_revoke_values_are_not_found(app, people):
    client = login(app, "kiemtra")
    page = client.get("/account/tokens").get_data(as_text=True)
    for value in ("²", "①", "-1", "99999999999", "1e3"):
        response = client.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "revoke": value})
        assert response.status_code == 404, value
