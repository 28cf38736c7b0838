"""How deadlines are counted (docs/DEADLINES.md): working days from the day after, swapped Saturdays,
periods in days or months ending on a working day (BLDS 2015 Điều 148 khoản 5), the ward's own
calendar, and which deadlines are still a forecast. Plain Python: no database."""
from datetime import date

import pytest

from inspect_app.domain.cases.deadlines import DEFAULT_RULES, WorkingCalendar, due_date

# One rule per unit, each across Tết 2027 (Thu 04/02 – Wed 10/02), 30/4–1/5 2027 (Fri 30/04, Sat 01/05,
# Mon 03/05 in lieu) and 2/9 2027 (Thu 02/09, Fri 03/09). Expected dates counted by hand.
COUNTED = [
    # working days: the day after, working days only
    ("penalty_decision", date(2027, 1, 29), date(2027, 2, 16)),     # BB Fri + 7: 1–3/2, 11, 12, 15, 16/2
    ("decision_delivery", date(2027, 4, 28), date(2027, 5, 4)),     # + 2: Thu 29/4, Tue 4/5
    ("decision_delivery", date(2027, 9, 1), date(2027, 9, 7)),      # + 2: Mon 6/9, Tue 7/9
    # calendar days: the last day rolls forward to the next working day
    ("compliance", date(2027, 1, 27), date(2027, 2, 11)),           # Sat 06/02 in Tết → Thu 11/02
    ("compliance", date(2027, 4, 20), date(2027, 5, 4)),            # Fri 30/04 → Tue 04/05
    ("compliance", date(2027, 8, 23), date(2027, 9, 6)),            # Thu 02/09 → Mon 06/09
    # months
    ("penalty_decision_explanation", date(2027, 1, 4), date(2027, 2, 11)),   # Thu 04/02 (29 Tết) → Thu 11/02
    ("penalty_decision_explanation", date(2027, 1, 29), date(2027, 3, 1)),   # Sun 28/02 → Mon 01/03
    ("penalty_decision_explanation", date(2027, 3, 30), date(2027, 5, 4)),   # Fri 30/04 → Tue 04/05
    ("penalty_decision_explanation", date(2027, 8, 2), date(2027, 9, 6)),    # Thu 02/09 → Mon 06/09
]


@pytest.mark.parametrize("rule,start,expected", COUNTED)
def test_deadlines_across_the_holidays(rule, start, expected):
    assert due_date(DEFAULT_RULES[rule], start, WorkingCalendar()) == expected


def test_a_period_ending_on_a_working_day_is_not_moved():
    assert due_date(DEFAULT_RULES["compliance"], date(2027, 3, 1), WorkingCalendar()) == date(2027, 3, 11)  # Thu


def test_the_governments_swapped_saturday_is_a_working_day_and_its_monday_is_not():
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2026, 8, 22)) and not calendar.is_working_day(date(2026, 8, 31))
    # Wed 19/08/2026 + 7 working days: 20, 21, Sat 22, 24, 25, 26, 27.
    assert calendar.add_working_days(date(2026, 8, 19), 7) == date(2026, 8, 27)


def test_the_wards_own_days_off_make_up_days_and_removed_holidays():
    plain = WorkingCalendar()
    ward = WorkingCalendar(days_off=[date(2027, 3, 2)], workdays=[date(2027, 3, 6)], not_off=[date(2027, 11, 24)])
    assert plain.is_working_day(date(2027, 3, 2)) and not ward.is_working_day(date(2027, 3, 2))
    assert not plain.is_working_day(date(2027, 3, 6)) and ward.is_working_day(date(2027, 3, 6))        # a Saturday
    assert not plain.is_working_day(date(2027, 11, 24)) and ward.is_working_day(date(2027, 11, 24))    # Wed, 24/11
    # Mon 01/03 + 2 working days: Tue 02/03 is off, Wed 03/03, Thu 04/03.
    assert ward.add_working_days(date(2027, 3, 1), 2) == date(2027, 3, 4)
    # Removing the government's swapped Saturday makes it an ordinary Saturday again.
    assert not WorkingCalendar(not_off=[date(2026, 8, 22)]).is_working_day(date(2026, 8, 22))


def test_a_deadline_over_a_year_the_office_has_not_confirmed_is_a_forecast():
    calendar = WorkingCalendar(confirmed_years=[2026])
    assert not calendar.is_forecast(date(2026, 11, 2), date(2026, 11, 30))
    assert calendar.is_forecast(date(2026, 12, 28), date(2027, 1, 7))     # runs into 2027
    assert calendar.is_forecast(None, date(2027, 1, 7))
    assert not WorkingCalendar(confirmed_years=[2026, 2027]).is_forecast(date(2026, 12, 28), date(2027, 1, 7))


def test_each_day_off_of_a_year_says_where_it_comes_from():
    calendar = WorkingCalendar(days_off=[date(2026, 12, 31)], workdays=[date(2026, 2, 28)],
                               not_off=[date(2026, 11, 24)], confirmed_years=[2026])
    days = {item.day: item for item in calendar.year(2026)}
    assert days[date(2026, 2, 17)].source == "confirmed" and days[date(2026, 2, 17)].name == "Tết Nguyên Đán"
    assert days[date(2026, 8, 22)].source == "swapped_workday"
    assert days[date(2026, 11, 24)].source == "not_off"
    assert days[date(2026, 12, 31)].source == "ward" and days[date(2026, 2, 28)].source == "makeup"
    assert {item.source for item in WorkingCalendar().year(2027) if item.name} == {"forecast"}
    assert WorkingCalendar().year(2027, language="en_US")[0].name == "New Year's Day"
