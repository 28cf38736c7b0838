"""Password guessing: after 5 wrong passwords in a minute for a name (or 20 from one address) the
form refuses even the right password, says when to try again, and lets the user in after that."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.domain.accounts.login_limits import LoginLimits, TooManyAttempts, check_allowed, log_login_attempt
from inspect_app.extensions import db
from inspect_app.models import LoginAttempt
from inspect_app.models.types import utcnow

from .conftest import csrf_token_from


def _try(client, username, password, address="203.0.113.7"):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token_from(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_the_sixth_wrong_password_in_a_minute_is_refused_even_with_the_right_password(app, people):
    client = app.test_client()
    for _ in range(5):
        assert _try(client, "kiemtra", "sai-mat-khau").status_code == 401
    refused = _try(client, "kiemtra", "mat-khau-dai")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert re.search(r"Thử lại sau \d+ giây \(lúc \d\d:\d\d:\d\d\)", html), html[:3000]
    # Someone else, from elsewhere, is not held up by it; the same name from another address is.
    assert _try(app.test_client(), "chutich", "mat-khau-dai", "198.51.100.9").status_code == 302
    assert _try(app.test_client(), "KiemTra", "mat-khau-dai", "198.51.100.9").status_code == 429
    with app.app_context():  # a minute later
        for attempt in db.session.scalars(select(LoginAttempt)):
            attempt.attempted_at -= timedelta(seconds=61)
        db.session.commit()
    assert _try(client, "kiemtra", "mat-khau-dai").status_code == 302


def test_one_address_trying_many_names_is_stopped_too(app, people):
    for number in range(20):
        assert _try(app.test_client(), f"khong-co-{number}", "doan-bua", "192.0.2.66").status_code == 401
    assert _try(app.test_client(), "kiemtra", "mat-khau-dai", "192.0.2.66").status_code == 429
    assert _try(app.test_client(), "kiemtra", "mat-khau-dai", "192.0.2.67").status_code == 302


def test_attempts_are_logged_and_refusals_are_not_counted(app, people):
    client = app.test_client()
    for _ in range(7):
        _try(client, "kiemtra", "sai")
    with app.app_context():
        rows = db.session.scalars(select(LoginAttempt).where(LoginAttempt.username == "kiemtra")).all()
        assert len(rows) == 5 and not any(r.succeeded for r in rows) and {r.address for r in rows} == {"203.0.113.7"}


def test_the_wait_is_counted_from_the_oldest_counted_failure(session, app):
    limits, now = LoginLimits(per_username=3, per_address=100, window_s=60), utcnow()
    for seconds_ago in (50, 30, 10):
        log_login_attempt(session, "a", "x", False, now - timedelta(seconds=seconds_ago))
    log_login_attempt(session, "a", "x", True, now - timedelta(seconds=5))
    with pytest.raises(TooManyAttempts) as caught:
        check_allowed(session, "a", "x", limits, now)
    assert caught.value.retry_after_s == 10
    check_allowed(session, "a", "x", limits, now + timedelta(seconds=11))
