"""Thống kê (issue 19, part 4): the weekly figures agree with the weekly list for the same week; stages'
median days, routes, categories, coverage; SVG charts with their numbers in tables, an XLSX with the same
numbers, an inspector's own cases only, and the monthly report on A4 as page and PDF."""
import io
import re
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from inspect_app.domain.cases import statistics, weekly_list
from inspect_app.domain.ward_time import local_today
from inspect_app.extensions import db
from inspect_app.models import User

from . import weekly_scenario as scenario
from .factories import make_case
from .test_cases_web import login

WEEK = scenario.WEEK


@pytest.fixture
def ward(app, people, tmp_path):
    with app.app_context():
        scenario.build(db.session, people, tmp_path / "photos")
        db.session.commit()


def test_a_weeks_figures_agree_with_the_weekly_list(app, ward):
    with app.app_context():
        figures = statistics.figures(db.session, WEEK.monday, WEEK.sunday, scenario.AFTER_WEEK.date())
        (week,) = figures.weeks
        listing = weekly_list.build_weekly_list(db.session, WEEK, weekly_list.WeeklyFilters(), scenario.AFTER_WEEK)
        assert (week.new, week.closed, week.overdue) == (2, 1, 3)
        assert (week.new, week.closed, week.overdue) == (listing.totals["detected"], listing.totals["closed"],
                                                         listing.totals["overdue"])


def test_median_days_in_each_stage_of_the_stays_that_ended_in_the_period(app, ward):
    with app.app_context():
        stages = {s.stage: s for s in statistics.figures(db.session, WEEK.monday, WEEK.sunday,
                                                         scenario.AFTER_WEEK.date()).stage_days}
    # Detected → record: B (20/09 → 30/09). Warning → next: C 21 days, D 7.25 days, E 18 days.
    assert (stages["detected"].median_days, stages["detected"].stays) == (10.0, 1)
    assert (stages["warning"].median_days, stages["warning"].stays) == (18.0, 3)
    assert stages["stop_work"].median_days is None and stages["stop_work"].still_there >= 1


def test_an_inspector_sees_only_their_own_cases(app, ward, people):
    with app.app_context():
        mine = statistics.figures(db.session, WEEK.monday, WEEK.sunday, scenario.AFTER_WEEK.date(), people["inspector2"])
    assert [w.new for w in mine.weeks] == [1]  # K only
    client = login(app, "kiemtra2")
    assert 'id="own-only"' in client.get("/stats").get_data(as_text=True)


def test_months_and_their_weeks():
    assert statistics.month_days(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    assert statistics.month_days(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert statistics.read_month("2026-11", date(2026, 12, 1)) == (2026, 11)
    assert statistics.read_month("", date(2026, 12, 1)) == (2026, 12)


@pytest.fixture
def this_year(app, people, demo_ward):
    """Cases of the last weeks, dated from the real today (the page's period ends this week)."""
    today = local_today()
    with app.app_context():
        s = db.session
        inspector = s.get(User, people["inspector"])
        for weeks_ago, category in ((1, "no_permit"), (1, "no_permit"), (3, "encroachment"), (60, "no_permit")):
            make_case(s, inspector.id, "warning", category=category, due=today - timedelta(days=2),
                      detected_at=datetime.now(UTC) - timedelta(weeks=weeks_ago))
        s.commit()


def test_the_page_draws_svg_charts_with_their_numbers_and_the_xlsx_has_them(app, this_year):
    client = login(app, "chutich")
    html = client.get("/stats").get_data(as_text=True)
    for chart in ("chart-weeks", "chart-routes", "chart-categories", "chart-stages", "chart-coverage"):
        assert re.search(rf'<figure class="chart" id="{chart}">\s*<svg', html), chart
    assert "<script" not in re.search(r'<section id="stats-weeks".*?</section>', html, re.S).group(0)
    weeks = re.findall(r'<tr data-week="([^"]+)"><td>[^<]+(?:<span class="note">[^<]*</span>)?</td><td>[^<]+</td>'
                       r'<td class="num">(\d+)</td>', html)
    assert len(weeks) == 52 and sum(int(n) for _, n in weeks) == 3  # the case of 60 weeks ago is outside
    categories = dict(re.findall(r'<tr data-category="(\w+)"><td>[^<]+</td><td class="num">\d+</td>'
                                 r'<td class="num">\d+</td><td class="num">(\d+)</td>', html))
    assert categories == {"no_permit": "2", "encroachment": "1"}
    book = load_workbook(io.BytesIO(client.get("/stats.xlsx").get_data()))
    assert book.sheetnames == ["Thông tin", "Theo tuần", "Theo tuyến", "Theo loại vi phạm", "Số ngày mỗi giai đoạn", "Độ phủ tuần tra"]
    rows = list(book["Theo tuần"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in rows] == [(iso, int(n)) for iso, n in weeks]
    assert isinstance(rows[0][1], datetime) and rows[-1][5] == 4  # dates are dates; all four overdue now


def test_the_monthly_report_prints_on_a4_as_page_and_pdf(app, this_year):
    client = login(app, "chutich")
    today = local_today()
    month = f"{today.year}-{today.month:02d}"
    page = client.get(f"/stats/month?month={month}").get_data(as_text=True)
    assert "BÁO CÁO" in page and f"tháng {today.month:02d}/{today.year}" in page and 'id="month-totals"' in page
    response = client.get(f"/stats/month.pdf?month={month}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    info = subprocess.run(["pdfinfo", "-"], input=response.get_data(), capture_output=True, check=True).stdout.decode()
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info).groups())
    assert width > height  # A4 landscape, as the weekly list
    text = subprocess.run(["pdftotext", "-", "-"], input=response.get_data(), capture_output=True, check=True).stdout.decode()
    assert "BÁO CÁO" in text and "Thời gian xử lý ở mỗi giai đoạn" in text
    bad = client.get("/stats/month?month=2026-13")
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_data(as_text=True)


def test_an_inspectors_coverage_is_their_own_patrols_and_route_codes_are_never_formulas(app, people, demo_ward):
    from geoalchemy2.shape import from_shape, to_shape
    from shapely.geometry import MultiLineString
    from sqlalchemy import select

    from inspect_app.models import Patrol, Route

    from .factories import new_uuid
    today = local_today()
    with app.app_context():
        route = db.session.scalar(select(Route).where(Route.code == "R1"))
        route.code = "=1+2"
        coords = list(to_shape(route.geom).coords)
        db.session.add(Patrol(client_uuid=new_uuid(), inspector_id=people["inspector"], route_id=route.id, status="ended",
                              started_at=datetime.now(UTC) - timedelta(hours=3), ended_at=datetime.now(UTC),
                              track=from_shape(MultiLineString([coords]), srid=4326), track_length_m=1000.0, coverage=1.0))
        db.session.commit()
        first, last = statistics.last_52_weeks(today)
        theirs = statistics.figures(db.session, first, last, today, people["inspector"], coverage_weeks=1)
        others = statistics.figures(db.session, first, last, today, people["inspector2"], coverage_weeks=1)
        ward = statistics.figures(db.session, first, last, today, coverage_weeks=1)
    assert theirs.coverage[-1][1]["=1+2"] > 0.99 and ward.coverage[-1][1]["=1+2"] > 0.99
    assert others.coverage[-1][1].get("=1+2", 0.0) == 0.0  # a colleague's patrols are not the inspector's to see
    book = load_workbook(io.BytesIO(login(app, "chutich").get("/stats.xlsx").get_data()))
    header = [cell.value for cell in book["Độ phủ tuần tra"][1]]
    assert "'=1+2" in header and all(not str(v).startswith("=") for v in header)


def test_the_ward_report_has_its_header_and_recipients_an_inspectors_own_has_none(app, this_year):
    ward = login(app, "chutich").get("/stats/month").get_data(as_text=True)
    assert 'data-scope="ward"' in ward and "ỦY BAN NHÂN DÂN" in ward and "Nơi nhận:" in ward and "Kính gửi" in ward
    own = login(app, "kiemtra").get("/stats/month").get_data(as_text=True)
    assert 'data-scope="own"' in own and "BÁO CÁO NỘI BỘ" in own
    document = re.search(r'<article class="weekly-document monthly-document".*?</article>', own, re.S).group(0)
    assert "ỦY BAN NHÂN DÂN" not in document and "CHỦ TỊCH" not in document
