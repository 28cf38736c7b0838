"""Việc cần làm (issue 19, part 1): each role's home page says what needs doing, and every number on it
opens the case list filtered to exactly those cases."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from inspect_app.domain.cases import todo
from inspect_app.domain.cases.deadlines import WorkingCalendar
from inspect_app.domain.ward_time import local_midnight, local_today, week_bounds
from inspect_app.extensions import db
from inspect_app.models import CaseEvent, Route, User, Violation, Visit

from .conftest import csrf_token_from
from .factories import make_case, new_uuid
from .test_cases_web import login
from .test_lifecycle import _act

FRIDAY = date(2027, 3, 19)


def _count(html, element_id):
    match = re.search(rf'id="{element_id}">(\d+)<', html)
    assert match, f"no #{element_id} on the page"
    return int(match.group(1))


def _listed(client, href):
    """The case codes the case list shows at a link (every page of it)."""
    html = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert 'id="case-list"' in html, href
    return set(re.findall(r'<tr data-case="([^"]+)"', html))


@pytest.fixture
def monday_morning(app, people):
    """Cases for the chairman's Monday, dated from the real today (the pages use the ward's today)."""
    today = local_today()
    monday, sunday = week_bounds(today)
    long_ago = local_midnight(today - timedelta(days=30))
    with app.app_context():
        s = db.session
        inspector, inspector2 = s.get(User, people["inspector"]), s.get(User, people["inspector2"])
        cases = {
            "late": make_case(s, inspector.id, "warning", due=monday - timedelta(days=1)),
            "this_week": make_case(s, inspector.id, "warning", due=sunday),
            "limitation": make_case(s, inspector2.id, "detected", limitation_due=today - timedelta(days=1)),
            "closed": make_case(s, inspector.id, "closed", due=today - timedelta(days=5)),
            "quiet": make_case(s, inspector2.id, "warning", detected_at=long_ago),
            "visited": make_case(s, inspector2.id, "warning", detected_at=long_ago),
            "checked": make_case(s, inspector.id, "warning", detected_at=long_ago),
            "quiet_but_closed": make_case(s, inspector.id, "closed", detected_at=long_ago),
        }
        s.add(Visit(client_uuid=new_uuid(), inspector_id=inspector2.id, violation_id=cases["visited"].id,
                    outcome="follow_up", visited_at=datetime.now(UTC) - timedelta(days=3)))
        _act(s, cases["checked"], inspector, "site_check", today=today, note="Đã xem lại")
        _act(s, cases["this_week"], inspector, "close", today=today, mode="propose", outcome="self_corrected")
        s.commit()
        return {key: case.code for key, case in cases.items()} | {"ids": {k: c.id for k, c in cases.items()}}


def test_the_chairmans_numbers_each_open_exactly_their_cases(app, people, demo_ward, monday_morning):
    codes = monday_morning
    client = login(app, "chutich")
    html = client.get("/").get_data(as_text=True)
    assert "Việc cần làm" in html
    assert _count(html, "waiting-count") == 1 and f'data-case="{codes["this_week"]}"' in html
    expected = {
        "overdue-count": {codes["late"], codes["limitation"]},
        "due-week-count": {codes["this_week"]},
        "quiet-count": {codes["quiet"]},
    }
    for element_id, cases in expected.items():
        assert _count(html, element_id) == len(cases), element_id
        href = re.search(rf'<a class="card stat" href="([^"]+)"><span class="num" id="{element_id}"', html).group(1)
        assert _listed(client, href) == cases, element_id
    # by officer: each number opens that officer's cases
    rows = dict(re.findall(r'<tr data-officer="(\w+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {"kiemtra", "kiemtra2"}
    links = re.findall(r'href="([^"]+)"[^>]*>(\d+)</a>', rows["kiemtra"])
    assert [(n, _listed(client, href)) for href, n in links] == [("1", {codes["late"]}), ("1", {codes["this_week"]})]
    assert [_listed(client, href) for href, _ in re.findall(r'href="([^"]+)"[^>]*>(\d+)</a>', rows["kiemtra2"])] == [
        {codes["limitation"]}]
    assert '<meta name="app-badge" content="3">' in html  # one decision waiting + two overdue cases
    assert re.search(r'<tr data-route="R1">', html)  # the week's coverage per route


def test_the_chairman_approves_from_his_home_page(app, monday_morning):
    client = login(app, "chutich")
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/cases/\d+/proposals/\d+)".*?</form>', html, re.S)
    assert 'name="back" value="home"' in form.group(0)
    version = re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)
    answer = client.post(form.group(1), data={"csrf_token": csrf_token_from(html), "version": version,
                                              "decision": "approve", "back": "home"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/")
    after = client.get("/").get_data(as_text=True)
    assert _count(after, "waiting-count") == 0 and "Đã duyệt" in after


def test_a_case_list_filter_of_a_wrong_day_is_refused_in_words(app, people):
    client = login(app, "chutich")
    for name in ("due_by", "no_visit_since"):
        answer = client.get(f"/cases/?{name}=2026-13-40")
        assert answer.status_code == 400 and "ngày" in answer.get_data(as_text=True).lower()


def test_an_inspectors_cases_due_within_two_working_days_nearest_first(session, people):
    inspector, other = session.get(User, people["inspector"]), session.get(User, people["inspector2"])
    tuesday, wednesday = FRIDAY + timedelta(days=4), FRIDAY + timedelta(days=5)
    due_tuesday = make_case(session, inspector.id, "warning", due=tuesday)
    make_case(session, inspector.id, "warning", due=wednesday)
    late = make_case(session, inspector.id, "warning", due=FRIDAY - timedelta(days=1))
    limitation_monday = make_case(session, inspector.id, "detected", limitation_due=FRIDAY + timedelta(days=3))
    make_case(session, other.id, "warning", due=FRIDAY)
    make_case(session, inspector.id, "closed", due=FRIDAY - timedelta(days=2))
    mine = todo.inspector_todo(session, inspector, FRIDAY, WorkingCalendar(), datetime(2027, 3, 19, tzinfo=UTC), 14)
    assert mine.due_by == tuesday  # Saturday and Sunday are not working days
    assert [c.code for c in mine.due_cases] == [late.code, limitation_monday.code, due_tuesday.code]
    assert mine.due_count == 3 and mine.overdue_count == 1 and mine.badge == 3


def test_an_inspector_hears_of_a_case_given_to_them_marked_new_since_their_last_login(app, people):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning", due=local_today() + timedelta(days=1))
        db.session.commit()
        case_id, code = case.id, case.code
    login(app, "kiemtra2")  # an earlier visit
    with app.app_context():
        case = db.session.get(Violation, case_id)
        _act(db.session, case, db.session.get(User, people["chairman"]), "reassign",
             today=local_today(), officer_id=str(people["inspector2"]), note="Anh Kiểm nghỉ phép")
        case.due_date = local_today() + timedelta(days=1)  # (a bare test case has no clock in its history)
        db.session.commit()
    html = login(app, "kiemtra2").get("/").get_data(as_text=True)
    news = re.search(r'<section id="news".*?</section>', html, re.S).group(0)
    assert f'data-case="{code}"' in news and "giao cho bạn" in news and ">mới<" in news
    todo_box = re.search(r'<section id="todo".*?</section>', html, re.S).group(0)
    assert f'data-case="{code}"' in todo_box and _count(todo_box, "due-soon-count") == 1
    assert '<meta name="app-badge" content="1">' in html
    # the same box on My day
    assert f'data-case="{code}"' in login(app, "kiemtra2").get("/field/today").get_data(as_text=True)
    # the old officer no longer has it
    assert _count(login(app, "kiemtra").get("/").get_data(as_text=True), "due-soon-count") == 0


def test_the_office_sees_documents_without_number_idle_accounts_unverified_routes(app, people, demo_ward, tmp_path):
    today = local_today()
    with app.app_context():
        s = db.session
        inspector = s.get(User, people["inspector"])
        case = make_case(s, inspector.id, "warning", due=today + timedelta(days=3))
        _act(s, case, inspector, "start_stop_work", today=today, document_date=today.isoformat())
        corrected = make_case(s, inspector.id, "warning", due=today + timedelta(days=3))
        notice = _act(s, corrected, inspector, "start_stop_work", today=today, document_date=today.isoformat())
        _act(s, corrected, inspector, "correction", today=today, corrects_event_id=str(notice.id),
             note="Số thông báo: 15/TB-UBND")
        s.get(User, people["inspector2"]).last_login_at = datetime.now(UTC) - timedelta(days=40)
        s.get(User, people["chairman"]).last_login_at = datetime.now(UTC) - timedelta(days=2)
        for user in s.scalars(select(User)):
            user.created_at = datetime.now(UTC) - timedelta(days=90)
        gone = s.scalar(select(User).where(User.username == "kiemtra"))
        gone.active = False
        s.scalar(select(Route).where(Route.code == "R2")).verified = True
        s.commit()
        unnumbered = {e.violation.code for e in todo.unnumbered_documents(s)}
        assert unnumbered == {case.code}
        assert s.scalar(select(CaseEvent.document_kind).where(CaseEvent.violation_id == case.id)) == "stop_work_notice"
    html = login(app, "quantri").get("/").get_data(as_text=True)
    assert _count(html, "unnumbered-count") == 1 and f'data-case="{case.code}"' in html
    idle = re.search(r'<ul class="plain" id="idle-users">.*?</ul>', html, re.S).group(0)
    assert set(re.findall(r'data-user="(\w+)"', idle)) == {"kiemtra2"}  # not the inactive, not the recent
    unverified = re.search(r'<ul class="plain" id="unverified">.*?</ul>', html, re.S).group(0)
    assert 'data-route="R2"' not in unverified and 'data-route="R1"' in unverified
    assert "BACKUP_DIR" in html  # not configured: said, not guessed
    backups = tmp_path / "backups"
    (backups / (today - timedelta(days=3)).isoformat()).mkdir(parents=True)
    (backups / (today - timedelta(days=3)).isoformat() / "backup.json").write_text("{}")
    (backups / today.isoformat()).mkdir()  # tonight's, not finished: no manifest
    app.config["BACKUP_DIR"] = str(backups)
    html = login(app, "quantri").get("/").get_data(as_text=True)
    assert 'data-age="3"' in html and "cách đây 3 ngày" in html


def test_due_this_week_counts_the_limitation_period_and_never_what_is_already_overdue(session, people):
    from inspect_app.domain.cases import case_queries
    inspector = session.get(User, people["inspector"])
    wednesday = date(2027, 3, 17)
    limitation = make_case(session, inspector.id, "detected", limitation_due=date(2027, 3, 21))  # Sunday
    make_case(session, inspector.id, "warning", due=date(2027, 3, 16))  # Tuesday: overdue on Wednesday
    thursday = make_case(session, inspector.id, "warning", due=date(2027, 3, 18))
    make_case(session, inspector.id, "closed", due=date(2027, 3, 18))
    mine = todo.chairman_todo(session, wednesday, 14)
    assert (mine.overdue, mine.due_this_week) == (1, 2)
    listed = case_queries.find_cases(session, case_queries.CaseFilters(due_this_week=True), wednesday).cases
    assert {c.code for c in listed} == {limitation.code, thursday.code}


def test_a_record_drawn_on_site_counts_as_a_visit_by_its_date(session, people):
    from inspect_app.domain.cases import case_queries
    inspector = session.get(User, people["inspector"])
    long_ago = local_midnight(FRIDAY - timedelta(days=40))
    recorded = make_case(session, inspector.id, "detected", detected_at=long_ago)
    _act(session, recorded, inspector, "record_violation", today=FRIDAY, document_number="77/BB",
         document_date=(FRIDAY - timedelta(days=2)).isoformat())
    left_alone = make_case(session, inspector.id, "warning", detected_at=long_ago)
    filters = case_queries.CaseFilters(no_visit_since=FRIDAY - timedelta(days=14))
    assert {c.code for c in case_queries.find_cases(session, filters, FRIDAY).cases} == {left_alone.code}
    # a record written long ago but entered today is not a visit of these last weeks
    old_paper = make_case(session, inspector.id, "detected", detected_at=long_ago)
    _act(session, old_paper, inspector, "record_violation", today=FRIDAY, document_number="78/BB",
         document_date=(FRIDAY - timedelta(days=30)).isoformat())
    assert {c.code for c in case_queries.find_cases(session, filters, FRIDAY).cases} == {left_alone.code, old_paper.code}


def test_news_stays_new_until_marked_read_and_a_case_taken_back_is_not_news(app, people):
    today = local_today()
    with app.app_context():
        s = db.session
        chairman = s.get(User, people["chairman"])
        given = make_case(s, people["inspector"], "warning")
        taken_back = make_case(s, people["inspector"], "warning")
        for case in (given, taken_back):
            _act(s, case, chairman, "reassign", today=today, officer_id=str(people["inspector2"]), note="Nghỉ phép")
        _act(s, taken_back, chairman, "reassign", today=today, officer_id=str(people["inspector"]), note="Đã về")
        s.commit()
        codes = (given.code, taken_back.code)
    client = login(app, "kiemtra2")
    html = client.get("/").get_data(as_text=True)
    news = re.search(r'<section id="news".*?</section>', html, re.S).group(0)
    assert f'data-case="{codes[0]}"' in news and f'data-case="{codes[1]}"' not in news and ">mới<" in news
    form = re.search(r'<form method="post" action="(/news/read)".*?name="until" value="([^"]+)"', news, re.S)
    assert client.post("/news/read", data={"csrf_token": csrf_token_from(html), "until": "hôm qua",
                                           "next": "/"}).status_code == 400
    answer = client.post(form.group(1), data={"csrf_token": csrf_token_from(html), "until": form.group(2), "next": "/"})
    assert answer.status_code == 302
    news = re.search(r'<section id="news".*?</section>', client.get("/").get_data(as_text=True), re.S).group(0)
    assert f'data-case="{codes[0]}"' in news and ">mới<" not in news and 'id="news-read"' not in news
