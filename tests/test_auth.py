"""Login, logout, wrong credentials, inactive users, roles, CSRF and cookies."""
import pytest
from sqlalchemy import select

from inspect_app.domain.accounts import accounts
from inspect_app.extensions import db
from inspect_app.models import User

from .conftest import csrf_token_from


def test_login_page_is_vietnamese_with_the_expected_fields(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert "Đăng nhập" in html


def test_login_then_home_then_logout(client, auth, demo_ward):
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Bắt đầu làm việc" in home.get_data(as_text=True)
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_login_records_the_time(app, auth, demo_ward):
    auth.login()
    with app.app_context():
        user = accounts.find_user(db.session, "kiemtra")
        assert user.last_login_at is not None and user.last_login_at.tzinfo is not None


@pytest.mark.parametrize("username,password", [("kiemtra", "wrong-password"), ("nobody", "kiemtra-demo"), ("KIEMTRA", "x")])
def test_wrong_credentials_do_not_say_which_part_was_wrong(client, auth, demo_ward, username, password):
    response = auth.login(username, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in html
    assert client.get("/").status_code == 302


def test_user_name_is_case_insensitive(client, auth, demo_ward):
    assert auth.login("KiemTra", "kiemtra-demo").status_code == 302


def test_empty_form_gives_field_messages(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_token_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng nhập tên đăng nhập." in html and "Vui lòng nhập mật khẩu." in html


def test_inactive_user_cannot_log_in(app, client, auth, demo_ward):
    with app.app_context():
        accounts.deactivate_user(db.session, "kiemtra")
        db.session.commit()
    response = auth.login()
    assert response.status_code == 403
    assert "đã bị vô hiệu hóa" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivation_ends_an_open_session(app, client, auth, demo_ward):
    auth.login()
    assert client.get("/").status_code == 200
    with app.app_context():
        accounts.deactivate_user(db.session, "kiemtra")
        db.session.commit()
    assert client.get("/").status_code == 302


def test_password_is_stored_hashed(app, demo_ward):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "kiemtra"))
        assert "kiemtra-demo" not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_failed_login_log_does_not_contain_the_password(app, auth, demo_ward, caplog):
    caplog.set_level("INFO")
    auth.login("kiemtra", "secret-guess-123")
    assert "secret-guess-123" not in caplog.text


@pytest.mark.parametrize("username,path", [("kiemtra", "/admin/"), ("chutich", "/admin/")])
def test_role_refusal_is_403_with_a_vietnamese_message(client, auth, demo_ward, username, path):
    auth.login(username, f"{username}-demo")
    response = client.get(path)
    assert response.status_code == 403
    assert "Bạn không có quyền mở trang này." in response.get_data(as_text=True)


def test_admin_reaches_the_admin_page(client, auth, demo_ward):
    auth.login("quantri", "quantri-demo")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "kiemtra" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused_with_a_message(client, demo_ward):
    response = client.post("/login", data={"username": "kiemtra", "password": "kiemtra-demo"})
    assert response.status_code == 400
    assert "kiểm tra bảo mật" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_needs_csrf_too(client, auth, demo_ward):
    auth.login()
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_logout_by_get_is_not_allowed(client, auth, demo_ward):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, demo_ward):
    response = auth.login()
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, demo_ward, target):
    page = client.get(f"/login?next={target}").get_data(as_text=True)
    response = client.post(
        f"/login?next={target}",
        data={"username": "kiemtra", "password": "kiemtra-demo", "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, demo_ward):
    page = client.get("/login?next=/routes").get_data(as_text=True)
    response = client.post(
        "/login?next=/routes",
        data={"username": "kiemtra", "password": "kiemtra-demo", "csrf_token": csrf_token_from(page)},
    )
    assert response.headers["Location"] == "/routes"


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, client, auth, demo_ward):
    auth.login()
    assert client.get("/").status_code == 200
    with app.app_context():
        accounts.reset_password(db.session, accounts.find_user(db.session, "kiemtra"), "mat-khau-moi-123", 8)
        db.session.commit()
    assert client.get("/").status_code == 302  # the old session no longer opens anything
    auth.login("kiemtra", "mat-khau-moi-123")
    assert client.get("/").headers["Location"].startswith("/account/password")  # the user picks their own first
