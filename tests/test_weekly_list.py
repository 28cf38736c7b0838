"""The weekly list's selection, grouping, totals, state-as-of-the-week and week parsing (both databases)."""
from datetime import date, datetime, timedelta

import pytest

from inspect_app.domain.cases import weekly_list
from inspect_app.domain.cases.weekly_list import ReportWeek, WeeklyFilters, build_weekly_list, parse_week
from inspect_app.domain.errors import InvalidFields, InvalidInput
from inspect_app.domain.ward_time import VIETNAM_OFFSET
from inspect_app.models import Route

from . import weekly_scenario as scenario


@pytest.fixture
def seeded(app, session, people, tmp_path):
    cases = scenario.build(session, people, tmp_path / "photos")
    session.commit()
    return cases


def letters(listing):
    return {stage: [scenario.letter_of(row.case.code) for row in rows] for stage, rows in listing.groups}


def test_week_holds_exactly_the_expected_rows_groups_and_totals(session, seeded):
    listing = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK)
    groups = letters(listing)
    assert {stage: sorted(found) for stage, found in groups.items()} == scenario.EXPECTED_GROUPS
    assert list(groups) == ["detected", "warning", "stop_work", "enforcement", "closed"]  # legal order
    assert listing.totals == scenario.EXPECTED_TOTALS
    assert {scenario.letter_of(r.case.code) for r in listing.rows if r.overdue} == scenario.EXPECTED_OVERDUE
    assert [r.number for r in listing.rows] == list(range(1, len(listing.rows) + 1))
    assert not scenario.NOT_LISTED & {scenario.letter_of(r.case.code) for r in listing.rows}


def test_closed_the_week_before_is_out_and_overdue_from_earlier_is_in(session, seeded):
    listing = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK)
    by_letter = {scenario.letter_of(r.case.code): r for r in listing.rows}
    assert "H" not in by_letter
    g = by_letter["G"]
    assert g.overdue and g.due_date < scenario.WEEK.monday and g.stage == "warning"
    assert g.overdue_days == (scenario.WEEK.sunday - g.due_date).days


def test_rows_show_the_case_as_it_stood_at_the_end_of_the_week(session, seeded):
    """N was closed after the week: last week's list still shows it open and overdue."""
    listing = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK)
    n = next(r for r in listing.rows if r.case.code == scenario.expected_codes("N")[0])
    assert seeded["N"].stage == "closed"
    assert n.stage == "warning" and n.overdue and n.outcome == ""
    assert listing.totals["closed"] == 1  # E only: N's closing is not in this week


def test_row_documents_fine_remedy_and_notes(session, seeded):
    listing = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK)
    rows = {scenario.letter_of(r.case.code): r for r in listing.rows}
    d = rows["D"]
    assert [(x.number, x.dated) for x in d.records] == [("25/BB-VPHC", date(2026, 9, 25))]
    assert [(x.kind, x.number, x.dated) for x in d.decisions] == [("qd_xu_phat", "41/QĐ-XPHC", date(2026, 10, 2))]
    assert d.fine_vnd == 60_000_000 and d.remedy == "Buộc phá dỡ phần xây dựng không phép"
    f = rows["F"]
    assert [x.kind for x in f.decisions] == ["qd_xu_phat", "qd_cuong_che"] and f.due_date is None
    b = rows["B"]
    assert b.fine_vnd is None  # only proposed, not decided
    assert [n.message for n in b.notes] == ["Waiting for the chairman: %(action)s"]
    assert rows["E"].outcome == "self_corrected" and rows["E"].due_date is None
    assert rows["I"].due_date == scenario.WEEK.sunday and not rows["I"].overdue


def test_rows_within_a_group_are_ordered_by_deadline(session, seeded):
    listing = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK)
    warning = dict(listing.groups)["warning"]
    dues = [r.due_date or date.max for r in warning]
    assert dues == sorted(dues)


def test_an_inspector_sees_only_the_cases_in_their_charge(session, seeded, people):
    mine = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK, officer_id=people["inspector"])
    theirs = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), scenario.AFTER_WEEK, officer_id=people["inspector2"])
    assert "K" not in {scenario.letter_of(r.case.code) for r in mine.rows}
    assert [scenario.letter_of(r.case.code) for r in theirs.rows] == ["K"]
    assert mine.totals["detected"] == 1 and theirs.totals["detected"] == 1


def test_filters_by_stage_khu_vuc_and_route(session, seeded):
    by_stage = build_weekly_list(session, scenario.WEEK, WeeklyFilters(stage="warning"), scenario.AFTER_WEEK)
    assert sorted(letters(by_stage)) == ["warning"]
    by_area = build_weekly_list(session, scenario.WEEK, WeeklyFilters(khu_vuc="Bắc Vàng"), scenario.AFTER_WEEK)
    assert {scenario.letter_of(r.case.code) for r in by_area.rows} == {"I", "K", "M", "N"}
    route = session.query(Route).first()
    if route is None:
        from geoalchemy2.shape import from_shape
        from shapely.geometry import LineString

        route = Route(code="R1", name="Tuyến từ UBND phường đến cầu Rạch Sung",
                      geom=from_shape(LineString([(105.59, 10.17), (105.60, 10.18)]), srid=4326))
        session.add(route)
        session.flush()
    seeded["C"].route_id = route.id
    session.commit()
    by_route = build_weekly_list(session, scenario.WEEK, WeeklyFilters(route_id=route.id), scenario.AFTER_WEEK)
    assert [scenario.letter_of(r.case.code) for r in by_route.rows] == ["C"]


def test_the_current_week_counts_up_to_now(session, seeded):
    """On Wednesday at noon only what happened so far counts, and overdue is judged on Wednesday."""
    wednesday_noon = datetime(2026, 9, 30, 12, 0, tzinfo=VIETNAM_OFFSET)
    listing = build_weekly_list(session, scenario.WEEK, WeeklyFilters(), wednesday_noon)
    assert {stage: sorted(found) for stage, found in letters(listing).items()} == {
        # F: its enforcement decision was delivered the week before and nothing fell due by Wednesday.
        "detected": ["A", "K"], "warning": ["B", "C", "E", "G", "I", "N"],
    }
    assert listing.as_of == wednesday_noon
    assert {scenario.letter_of(r.case.code) for r in listing.rows if r.overdue} == {"C", "E", "G", "N"}
    assert listing.totals == {"detected": 2, "records": 1, "stop_work": 0, "penalty_decisions": 0, "fines_vnd": 0,
                              "enforced": 0, "closed": 0, "overdue": 4}


def test_a_future_week_lists_what_falls_due_by_its_sunday(session, seeded):
    """Next week from Wednesday: nothing happened yet; open cases due by its Sunday are there."""
    wednesday_noon = datetime(2026, 9, 30, 12, 0, tzinfo=VIETNAM_OFFSET)
    listing = build_weekly_list(session, scenario.WEEK.next(), WeeklyFilters(), wednesday_noon)
    assert listing.totals["detected"] == 0 and listing.totals["records"] == 0
    # (F: its enforcement decision was delivered; nothing of it falls due.)
    assert {"B", "C", "D", "E", "G", "I", "N"} == {scenario.letter_of(r.case.code) for r in listing.rows}


def test_an_empty_week_has_no_rows_and_zero_totals(session, seeded):
    listing = build_weekly_list(session, ReportWeek(2025, 10), WeeklyFilters(), scenario.AFTER_WEEK)
    assert listing.rows == [] and listing.groups == []
    assert set(listing.totals.values()) == {0}


@pytest.mark.parametrize("text,expected", [
    ("2026-W48", ReportWeek(2026, 48)), ("2026W48", ReportWeek(2026, 48)), ("2026-w01", ReportWeek(2026, 1)),
    ("2026-W53", ReportWeek(2026, 53)), ("2020-W53", ReportWeek(2020, 53)),
])
def test_week_strings_that_are_weeks(text, expected):
    assert parse_week(text) == expected


@pytest.mark.parametrize("text,fragment", [
    ("2026-W54", "does not exist"), ("2027-W53", "does not exist"), ("2026-W00", "does not exist"),
    ("2026-48", "YYYY-Www"), ("tuần 48", "YYYY-Www"), ("2026-W4x", "YYYY-Www"), ("1999-W10", "between"),
    ("2026-W48; DROP TABLE violations", "YYYY-Www"), ("", "YYYY-Www"),
])
def test_week_strings_that_are_not_weeks(text, fragment):
    with pytest.raises(InvalidInput) as caught:
        parse_week(text)
    assert fragment in caught.value.message


def test_week_request_reads_week_and_filters_and_names_every_bad_field():
    week, filters = weekly_list.read_week_request({"week": "2026-W40", "route": "3", "khu_vuc": "Bắc Vàng"}, date(2026, 11, 27))
    assert week == ReportWeek(2026, 40) and filters == WeeklyFilters(route_id=3, khu_vuc="Bắc Vàng")
    week, filters = weekly_list.read_week_request({}, date(2026, 11, 27))
    assert week == ReportWeek(2026, 48)
    with pytest.raises(InvalidFields) as caught:
        weekly_list.read_week_request({"week": "2026-W54", "route": "abc", "stage": "forged"}, date(2026, 11, 27))
    assert set(caught.value.errors) == {"week", "route", "stage"}


def test_week_bounds_and_titles():
    week = ReportWeek(2026, 48)
    assert (week.monday, week.sunday) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week.date_range() == "23/11 – 29/11/2026"
    assert ReportWeek(2026, 1).date_range() == "29/12/2025 – 04/01/2026"
    assert week.previous() == ReportWeek(2026, 47) and ReportWeek(2026, 53).next() == ReportWeek(2027, 1)
    assert week.starts_at.utcoffset() == timedelta(hours=7)


def test_documents_count_in_the_week_of_their_date_and_the_week_they_were_entered_says_late(app, session, people):
    """Week 48 of 2026 looked empty although two records were dated in it: they were entered in week 49."""
    from inspect_app.models import User

    from .factories import make_case

    officer = session.get(User, people["inspector"])
    files = weekly_list_files(app)
    late = []
    for number, day in (("48/BB", date(2026, 11, 24)), ("49/BB", date(2026, 11, 26))):
        case = make_case(session, officer.id, detected_at=scenario.local(date(2026, 11, 23)), code=f"TL-2026-{number[:2]}00")
        scenario._act(session, files, case, officer, "record_violation", scenario.local(date(2026, 12, 1)),
                      document_number=number, document_date=day.isoformat())
        late.append(case.code)
    session.commit()
    after = datetime(2026, 12, 2, 12, tzinfo=VIETNAM_OFFSET)
    week48 = build_weekly_list(session, ReportWeek(2026, 48), WeeklyFilters(), after)
    assert week48.totals["records"] == 2 and sorted(r.case.code for r in week48.rows) == late
    week49 = build_weekly_list(session, ReportWeek(2026, 49), WeeklyFilters(), after)
    assert week49.totals["records"] == 0
    notes = {row.case.code: [n.params for n in row.notes if n.message.startswith("Entered late")] for row in week49.rows}
    assert notes[late[0]] == [{"document": "48/BB", "day": "24/11/2026"}]


def weekly_list_files(app):
    from inspect_app.domain.field.photos import PhotoFiles

    return PhotoFiles(app.config["PHOTO_DIR"])
