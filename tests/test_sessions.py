"""Sessions end on the server: a cookie copied before logout is refused after it; deactivation ends
every session and reactivation does not bring them back; every user changes their own password; a
password set by the administrator must be changed at the next login; and the app logs what matters."""
import logging

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import LoginSession, User

from .conftest import csrf_token_from


def _login(app, username="kiemtra", password="mat-khau-dai", client=None):
    client = client or app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token_from(page)})
    return client


def _cookie(client):
    return client.get_cookie("session").value


def _with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_copied_before_logout_is_refused_after_it(app, people):
    client = _login(app)
    copied = _cookie(client)
    assert _with_cookie(app, copied).get("/").status_code == 200  # the copy works while the session lives
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = _with_cookie(app, copied)
    assert thief.get("/").status_code == 302 and thief.get("/api/session").status_code == 401
    with app.app_context():
        ended = db.session.scalars(select(LoginSession)).all()
        assert len(ended) == 1 and ended[0].end_reason == "logout" and ended[0].ended_at is not None


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, people):
    client = _login(app)
    copied = _cookie(client)
    admin = _login(app, "quantri")
    token = csrf_token_from(admin.get("/admin/users").get_data(as_text=True))
    user_id = people["inspector"]
    assert admin.post(f"/admin/users/{user_id}", data={"csrf_token": token, "change": "deactivate"}).status_code == 302
    assert client.get("/").status_code == 302
    assert admin.post(f"/admin/users/{user_id}", data={"csrf_token": token, "change": "reactivate"}).status_code == 302
    assert client.get("/").status_code == 302 and _with_cookie(app, copied).get("/").status_code == 302
    assert _login(app).get("/").status_code == 200  # logging in again works


def _change(client, current, new, repeat=None, url="/account/password"):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)), "current_password": current,
        "new_password": new, "repeat_password": new if repeat is None else repeat})


@pytest.mark.parametrize("username", ["kiemtra", "chutich", "quantri"])
def test_every_user_changes_their_own_password_and_their_other_sessions_end(app, people, username):
    phone, desk = _login(app, username), _login(app, username)
    response = _change(desk, "mat-khau-dai", "mat-khau-rieng-2027")
    assert response.status_code == 302
    assert desk.get("/").status_code == 200  # this session goes on
    assert phone.get("/").status_code == 302  # the other one ended
    assert _login(app, username, "mat-khau-rieng-2027").get("/").status_code == 200
    assert _login(app, username, "mat-khau-dai").get("/").status_code == 302


@pytest.mark.parametrize("current, new, repeat, message", [
    ("sai-mat-khau", "mat-khau-moi-1", None, "Đây không phải mật khẩu hiện tại"),
    ("mat-khau-dai", "ngan", None, "ít nhất"),
    ("mat-khau-dai", "mat-khau-moi-1", "mat-khau-moi-2", "không giống nhau"),
    ("mat-khau-dai", "mat-khau-dai", None, "khác với mật khẩu hiện tại"),
])
def test_a_wrong_password_change_is_refused_with_a_message_and_nothing_changes(app, people, db_snapshot, current, new,
                                                                               repeat, message):
    client = _login(app)
    before = db_snapshot()
    response = _change(client, current, new, repeat)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    after = db_snapshot()
    if current != "mat-khau-dai":  # a wrong current password is recorded like a failed login, nothing else
        added = set(after.pop("login_attempts")) - set(before.pop("login_attempts"))
        assert len(added) == 1 and list(added)[0][-1] == "False"
    assert after == before


def test_a_password_set_by_the_administrator_must_be_changed_at_the_next_login(app, people):
    admin = _login(app, "quantri")
    token = csrf_token_from(admin.get("/admin/users").get_data(as_text=True))
    assert admin.post(f"/admin/users/{people['inspector']}", data={
        "csrf_token": token, "change": "password", "password": "tam-thoi-123"}).status_code == 302
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login?next=/cases/", data={"username": "kiemtra", "password": "tam-thoi-123",
                                                         "csrf_token": csrf_token_from(page)})
    assert response.headers["Location"].startswith("/account/password")
    assert client.get("/cases/").headers["Location"].startswith("/account/password")
    assert client.get("/api/session").status_code == 401  # the phone's outbox waits instead of failing items
    assert "quản trị viên đặt" in client.get("/account/password").get_data(as_text=True)
    assert _change(client, "tam-thoi-123", "cua-rieng-toi-1", url=response.headers["Location"]).headers["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    with app.app_context():
        assert db.session.get(User, people["inspector"]).must_change_password is False


def test_the_app_logs_refusals_failed_logins_admin_changes_and_server_errors_with_a_request_id(app, people, caplog):
    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("kaboom")
    boom.access_policy = "public"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.INFO, logger="inspect_app"):
        client = _login(app)
        client.get("/admin/log")  # refused
        _login(app, "kiemtra", "sai")  # failed login
        admin = _login(app, "quantri")
        token = csrf_token_from(admin.get("/admin/users").get_data(as_text=True))
        admin.post(f"/admin/users/{people['inspector2']}", data={"csrf_token": token, "change": "deactivate"})
        assert app.test_client().get("/boom-for-test").status_code == 500
    lines = [record for record in caplog.records if record.name.startswith("inspect_app")]
    text = "\n".join(r.getMessage() for r in lines)
    assert "refused GET /admin/log to kiemtra" in text
    assert "failed login for 'kiemtra'" in text
    assert "admin change by quantri: user.deactivate kiemtra2" in text
    assert any("kaboom" in (r.exc_text or "") or (r.exc_info and "kaboom" in str(r.exc_info[1])) for r in lines)
    assert all(getattr(r, "request_id", "") for r in lines)


def test_log_lines_are_one_line_each_with_the_request_id(app, people, capfd):
    from inspect_app.logs import OneLineFormatter

    record = logging.LogRecord("inspect_app", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise RuntimeError("first\nsecond")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    record.request_id = "abc123"
    line = OneLineFormatter().format(record)
    assert "\n" not in line and "[abc123]" in line and "RuntimeError" in line


def test_the_first_cookie_already_carries_the_idle_clock(app, people):
    client = _login(app)
    with client.session_transaction() as cookie:
        assert "seen" in cookie and "sid" in cookie


def test_guessing_the_current_password_is_limited_like_logins(app, people):
    client = _login(app)
    statuses = [_change(client, f"doan-{n}", "mat-khau-moi-1").status_code for n in range(7)]
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429, statuses


def test_an_account_that_logged_in_once_and_has_no_records_can_be_deleted(app, people):
    from inspect_app.domain.accounts import accounts as account_rules

    with app.app_context():
        account_rules.create_user(db.session, "tamthoi", "inspector", "mat-khau-dai")
        db.session.commit()
    _login(app, "tamthoi").get("/")
    admin = _login(app, "quantri")
    with app.app_context():
        user_id = account_rules.find_user(db.session, "tamthoi").id
    token = csrf_token_from(admin.get("/admin/users").get_data(as_text=True))
    response = admin.post(f"/admin/users/{user_id}", data={"csrf_token": token, "change": "delete"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.session.get(User, user_id) is None


def test_log_lines_write_out_invisible_characters():
    from inspect_app.logs import OneLineFormatter

    record = logging.LogRecord("inspect_app", logging.INFO, __file__, 1, "file %s", ("a\x1b[31m\u2028b\r\nc",), None)
    line = OneLineFormatter().format(record)
    assert "\x1b" not in line and "\u2028" not in line and "\n" not in line and "\\x{1b}" in line
