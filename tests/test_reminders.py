"""The morning reminder by e-mail (issue 19, part 2), against a real SMTP server on 127.0.0.1 (aiosmtpd):
each user hears once a day of what is overdue and due in the next 2 working days among what they answer
for, in Vietnamese, with links; failures are retried, recorded and sent by the next run."""
import email
import email.policy
import re
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import ReminderSend, User

from .conftest import csrf_token_from
from .factories import make_case
from .test_cases_web import login
from .test_lifecycle import _act

FRIDAY = date(2027, 3, 19)  # "the next 2 working days" run to Tuesday 23 March
PUBLIC = "https://kiemtra.thoilong.example.vn"


class Inbox:
    """An SMTP handler that keeps what it accepts; it can answer 451 to the next messages or refuse addresses."""

    def __init__(self):
        self.messages, self.fail_next, self.refuse, self.quit_reply = [], 0, set(), None

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return self.quit_reply or "221 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.fail_next:
            self.fail_next -= 1
            return "451 4.3.0 Try again later"
        self.messages.append((envelope.rcpt_tos[:], email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def to(self, address):
        return [message for recipients, message in self.messages if address in recipients]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_URL=PUBLIC, MAIL_RETRY_DELAYS_S=(0, 0),
                      MAIL_FROM="kiemtra@thoilong.example.vn")
    yield handler
    controller.stop()


@pytest.fixture
def morning(app, people):
    """Cases due around Friday 19 March 2027, proposals, and who wants the mail."""
    with app.app_context():
        s = db.session
        inspector, other = s.get(User, people["inspector"]), s.get(User, people["inspector2"])
        cases = {
            "late": make_case(s, inspector.id, "warning", due=FRIDAY - timedelta(days=2), address="{{7*191}} <b>Hẻm 5</b>"),
            "tuesday": make_case(s, inspector.id, "warning", due=FRIDAY + timedelta(days=4)),
            "wednesday": make_case(s, inspector.id, "warning", due=FRIDAY + timedelta(days=5)),
            "others": make_case(s, other.id, "warning", due=FRIDAY - timedelta(days=1)),
            "proposed": make_case(s, other.id, "warning"),
        }
        _act(s, cases["proposed"], other, "close", today=FRIDAY, mode="propose", outcome="self_corrected")
        inspector.email = "kiem@thoilong.example.vn"
        other.email, other.email_reminders = "hai@thoilong.example.vn", False
        s.get(User, people["chairman"]).email = "chutich@thoilong.example.vn"
        s.commit()
        return {key: (case.id, case.code) for key, case in cases.items()}


def _send(runner, day=FRIDAY):
    return runner.invoke(args=["reminders", "send", "--date", day.isoformat()])


def test_each_user_hears_once_of_their_own_day_in_vietnamese_with_links(app, runner, inbox, morning):
    result = _send(runner)
    assert result.exit_code == 0, result.output
    assert sorted(address for recipients, _ in inbox.messages for address in recipients) == [
        "chutich@thoilong.example.vn", "kiem@thoilong.example.vn"]  # kiemtra2 said no; the admin has no address
    (mine,) = inbox.to("kiem@thoilong.example.vn")
    assert mine["Subject"] == "[Trật tự xây dựng] Việc cần làm ngày 19/03/2027: 2"
    assert mine["From"] == "kiemtra@thoilong.example.vn" and mine["Auto-Submitted"] == "auto-generated"
    body = mine.get_content()
    assert "Xin chào Nguyễn Văn Kiểm," in body and "QUÁ HẠN: 1\n" in body and "Sắp đến hạn, đến hết ngày 23/03/2027: 1\n" in body
    for key in ("late", "tuesday"):
        case_id, code = morning[key]
        assert code in body and f"{PUBLIC}/cases/{case_id}\n" in body
    assert morning["wednesday"][1] not in body  # three working days away
    assert morning["others"][1] not in body  # another inspector's case: never heard of
    assert "{{7*191}} <b>Hẻm 5</b>" in body  # the address as typed: data, not template
    assert f"{PUBLIC}/cases/?officer=" in body and "due_by=2027-03-23" in body and f"{PUBLIC}/account" in body
    (chairman,) = inbox.to("chutich@thoilong.example.vn")
    text = chairman.get_content()
    assert "Chờ Chủ tịch quyết định: 1" in text and morning["proposed"][1] in text and morning["others"][1] in text
    assert f"{PUBLIC}/cases/queue" in text

    again = _send(runner)
    assert again.exit_code == 0 and len(inbox.messages) == 2  # nothing twice for the same day
    assert "0 đã gửi, 2 đã gửi trước đó" in again.output
    with app.app_context():
        rows = db.session.scalars(select(ReminderSend)).all()
        assert sorted((r.address, r.status, r.items, r.attempts) for r in rows) == [
            ("chutich@thoilong.example.vn", "sent", 4, 1), ("kiem@thoilong.example.vn", "sent", 2, 1)]
    assert "không phải ngày làm việc" in _send(runner, FRIDAY + timedelta(days=1)).output  # Saturday: nothing
    assert len(inbox.messages) == 2
    assert _send(runner, FRIDAY + timedelta(days=3)).exit_code == 0 and len(inbox.messages) == 4  # Monday: a new day


def test_a_passing_failure_is_tried_again_and_a_refused_address_is_recorded_then_sent_later(app, runner, inbox, morning):
    inbox.fail_next = 1
    inbox.refuse.add("chutich@thoilong.example.vn")
    result = _send(runner)
    assert result.exit_code != 0 and "chutich: chutich@thoilong.example.vn: 550" in result.output
    assert [r for r, _ in inbox.messages] == [["kiem@thoilong.example.vn"]]
    with app.app_context():
        rows = {r.address: r for r in db.session.scalars(select(ReminderSend))}
        assert rows["kiem@thoilong.example.vn"].attempts == 2 and rows["kiem@thoilong.example.vn"].status == "sent"
        failed = rows["chutich@thoilong.example.vn"]
        assert failed.status == "failed" and failed.attempts == 1 and "550" in failed.last_error  # not retried: permanent
    inbox.refuse.clear()
    assert _send(runner).exit_code == 0
    assert [r for r, _ in inbox.messages] == [["kiem@thoilong.example.vn"], ["chutich@thoilong.example.vn"]]


def test_a_mail_server_that_is_down_is_recorded_and_the_next_run_sends(app, runner, inbox, morning):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _free_port()  # nobody listens there
    result = _send(runner)
    assert result.exit_code != 0 and "ConnectionRefusedError" in result.output
    with app.app_context():
        assert {(r.status, r.attempts) for r in db.session.scalars(select(ReminderSend))} == {("failed", 3)}
    app.config["MAIL_PORT"] = port
    assert _send(runner).exit_code == 0 and len(inbox.messages) == 2


def test_without_a_mail_server_or_a_public_address_nothing_is_tried(app, runner, morning):
    app.config.update(MAIL_SERVER=None)
    assert "MAIL_SERVER" in _send(runner).output
    app.config.update(MAIL_SERVER="127.0.0.1", PUBLIC_URL=None)
    result = _send(runner)
    assert result.exit_code != 0 and "PUBLIC_URL" in result.output
    with app.app_context():
        assert db.session.scalars(select(ReminderSend)).all() == []


def test_the_account_page_sets_the_address_and_the_opt_out(app, people, db_snapshot):
    client = login(app, "kiemtra")
    page = client.get("/account").get_data(as_text=True)
    token = csrf_token_from(page)
    before = db_snapshot()
    for bad in ("khong-phai-email", "a@b.vn\r\nBcc: x@y.vn", "a@b", "x" * 250 + "@b.vn"):
        answer = client.post("/account", data={"csrf_token": token, "email": bad, "email_reminders": "1"})
        assert answer.status_code == 400 and "không phải địa chỉ e-mail" in answer.get_data(as_text=True), bad
    answer = client.post("/account", data={"csrf_token": token, "email": "", "email_reminders": "1"})
    assert answer.status_code == 400 and "Nhập địa chỉ e-mail" in answer.get_data(as_text=True)
    assert db_snapshot() == before
    wrong = client.post("/account", data={"csrf_token": token, "email": "ke-gian@example.vn", "email_reminders": "1",
                                          "current_password": "doan-bua"})
    assert wrong.status_code == 400 and "không phải mật khẩu hiện tại" in wrong.get_data(as_text=True)
    assert db_snapshot()["users"] == before["users"]  # a borrowed session cannot send the mail elsewhere
    assert client.post("/account", data={"csrf_token": token, "email": " kiem@thoilong.example.vn ",
                                         "email_reminders": "1", "current_password": "mat-khau-dai"}).status_code == 302
    # the same address again needs no password; unticking keeps the address
    assert client.post("/account", data={"csrf_token": token, "email": "kiem@thoilong.example.vn"}).status_code == 302
    with app.app_context():
        user = db.session.get(User, people["inspector"])
        assert (user.email, user.email_reminders) == ("kiem@thoilong.example.vn", False)
        user.email_reminders = True
        db.session.commit()
    assert re.search(r'name="email_reminders" value="1"\s*checked', client.get("/account").get_data(as_text=True))
    # the administrator's reset (an account perhaps in other hands) stops the mail and shows the address
    admin = login(app, "quantri")
    assert 'data-email="kiemtra">kiem@thoilong.example.vn<' in admin.get("/admin/").get_data(as_text=True)
    with app.app_context():
        from inspect_app.domain.accounts import accounts
        accounts.reset_password(db.session, db.session.get(User, people["inspector"]), "mot-mat-khau-moi-dai", 8)
        db.session.commit()
        user = db.session.get(User, people["inspector"])
        assert (user.email, user.email_reminders) == (None, False)


def test_a_message_accepted_is_sent_whatever_the_server_says_to_quit(app, runner, inbox, morning):
    inbox.quit_reply = "421 4.3.2 Shutting down"
    assert _send(runner).exit_code == 0
    assert len(inbox.messages) == 2  # once each: not tried again, not recorded as failed
    with app.app_context():
        assert {(r.status, r.attempts) for r in db.session.scalars(select(ReminderSend))} == {("sent", 1)}


def test_a_day_claimed_by_another_run_is_left_to_it_and_a_dead_claim_is_sent_again(app, runner, inbox, morning, people):
    from inspect_app.models.types import utcnow
    with app.app_context():
        db.session.add(ReminderSend(user_id=people["inspector"], day=FRIDAY, status="sending", address="kiem@thoilong.example.vn",
                                    items=2, attempts=0, last_error="", updated_at=utcnow()))
        db.session.add(ReminderSend(user_id=people["chairman"], day=FRIDAY, status="sending",
                                    address="chutich@thoilong.example.vn", items=4, attempts=0, last_error="",
                                    updated_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    assert _send(runner).exit_code == 0
    assert [r for r, _ in inbox.messages] == [["chutich@thoilong.example.vn"]]


def test_an_unknown_security_setting_is_refused_not_read_as_plain_text(app, runner, inbox, morning):
    app.config["MAIL_SECURITY"] = "tls"
    result = _send(runner)
    assert result.exit_code != 0 and "MAIL_SECURITY" in result.output and inbox.messages == []


def test_an_account_with_mails_and_tokens_but_no_records_can_be_deleted(app, people):
    from inspect_app.domain.accounts import accounts, api_tokens
    with app.app_context():
        s = db.session
        mistake = accounts.create_user(s, "nham", "chairman", "mot-mat-khau-dai", full_name="Tạo nhầm")
        s.flush()
        api_tokens.create_token(s, mistake, "QGIS")
        s.add(ReminderSend(user_id=mistake.id, day=FRIDAY, status="sent", address="x@y.vn", items=1, attempts=1,
                           last_error=""))
        s.commit()
        accounts.delete_user(s, mistake, s.get(User, people["admin"]))
        s.commit()
        assert accounts.find_user(s, "nham") is None
