"""The chairman's map at 10,000 cases in Chromium: every case matching the filters is accounted for at
the whole-ward view (cluster counts plus single cases), after zooming in, and under a filter; a click
on one case opens its popup with its details."""
import re

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from inspect_app.domain.cases.case_queries import CaseFilters, count_cases
from inspect_app.domain.geo import spatial
from inspect_app.extensions import db
from inspect_app.models import User, Violation, Ward
from inspect_app.rules import lifecycle_context

from ..factories import many_cases
from .conftest import login

CASES = 10_000
UNPLACED = 37

DRAWN = """() => {
    const out = {clusters: 0, points: 0, cases: 0, labelled: 0};
    InspectMap.state.map.eachLayer(l => {
        if (l.options.caseCount) {
            out.clusters += 1; out.cases += l.options.caseCount;
            // What the canvas writes on the cluster (numbers the Vietnamese way, 1.234).
            out.labelled += Number(l.options.label.replace(/\\D/g, ''));
        }
        else if (l.options.caseId) { out.points += 1; out.cases += 1; }
    });
    return out; }"""


@pytest.fixture
def ten_thousand(app, demo_ward):
    """The demo ward with 10,000 more cases inside its boundary's box, 37 of them with no position."""
    with app.app_context():
        boundary = to_shape(db.session.scalar(select(Ward.boundary)))
        minx, miny, maxx, maxy = boundary.bounds
        inner = (minx + (maxx - minx) * 0.1, miny + (maxy - miny) * 0.1, maxx - (maxx - minx) * 0.1, maxy - (maxy - miny) * 0.1)
        officer = db.session.scalar(select(User.id).where(User.username == "kiemtra"))
        today = lifecycle_context(app.config).today
        many_cases(db.session, CASES, officer, inner, unplaced=UNPLACED, today=today)
        db.session.commit()
        return {"today": today, "total": db.session.scalar(select(func.count(Violation.id))),
                "placed": db.session.scalar(select(func.count(Violation.id)).where(Violation.position.is_not(None)))}


def _wait_drawn(page, after=0):
    page.wait_for_function("n => Number(document.getElementById('ward-map').dataset.drawn || 0) > n", arg=after)
    return int(page.evaluate("document.getElementById('ward-map').dataset.drawn"))


def test_every_case_is_on_the_map_at_every_zoom_and_a_click_opens_its_popup(app, live_server, desk, ten_thousand,
                                                                            page_errors):
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "chutich-demo")
    page.goto(f"{live_server}/map/")
    drawn_times = _wait_drawn(page)

    # The whole ward: every placed case in a cluster or as a point, and the clusters say their true counts.
    whole = page.evaluate(DRAWN)
    assert whole["cases"] == ten_thousand["placed"] == ten_thousand["total"] - UNPLACED, whole
    assert whole["labelled"] == sum_of_cluster_counts(whole), whole
    assert whole["clusters"] > 0
    count_line = page.inner_text("#map-count")
    placed = f"{ten_thousand['placed']:,}".replace(",", ".")
    assert f"Đang thấy {placed} trong {placed} vụ" in count_line and "37 vụ chưa có vị trí" in count_line
    page_total = int(page.evaluate("document.getElementById('ward-map').dataset.total"))
    assert page_total == ten_thousand["total"]

    # Zoomed in: the line under the map counts exactly the cases inside the view (clusters near the edges,
    # drawn where their centre is, may hold a few just outside it).
    page.evaluate("""() => { const m = InspectMap.state.map, c = m.getCenter();
        m.setView([c.lat + 0.004, c.lng - 0.004], m.getZoom() + 2, {animate: false}); }""")
    drawn_times = _wait_drawn(page, drawn_times)
    bounds = page.evaluate("() => { const b = InspectMap.state.map.getBounds();"
                           " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }")
    # The layer carries positions to the micro-degree (0.1 m): a case that close to the view's edge may
    # fall either side of it, so the count is checked between the view shrunk and grown by 2 micro-degrees.
    def inside(margin):
        box = (bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin)
        with app.app_context():
            # Exact comparisons (PostGIS's && compares single-precision boxes: several micro-degrees off).
            x, y = spatial.x_expr(db.session, Violation.position), spatial.y_expr(db.session, Violation.position)
            return db.session.scalar(select(func.count(Violation.id)).where(x >= box[0], x <= box[2], y >= box[1], y <= box[3]))
    shown = int(page.evaluate("document.getElementById('ward-map').dataset.shown"))
    assert 0 < inside(-2e-6) <= shown <= inside(2e-6) < whole["cases"], (shown, inside(-2e-6), inside(2e-6))
    assert inside(2e-6) - inside(-2e-6) < 5
    assert f"Đang thấy {shown:,}".replace(",", ".") in page.inner_text("#map-count")
    assert page.evaluate(DRAWN)["cases"] > 0

    # One case up close: a real click on its circle opens its popup with the details from the server.
    with app.app_context():
        case = db.session.scalar(select(Violation).where(Violation.code == "TL-2026-N004242"))
        point, code, address, case_id = to_shape(case.position), case.code, case.address, case.id
    page.evaluate("at => { InspectMap.state.map.setView(at, 19, {animate: false}); }", [point.y, point.x])
    _wait_drawn(page, drawn_times)
    at = page.evaluate("""id => { const m = InspectMap.state.map; let hit = null;
        m.eachLayer(l => { if (l.options.caseId === id) hit = m.latLngToContainerPoint(l.getLatLng()); });
        const box = m.getContainer().getBoundingClientRect();
        return hit && {x: box.left + hit.x, y: box.top + hit.y}; }""", case_id)
    assert at, "the case is not drawn on its own at zoom 19"
    page.mouse.click(at["x"], at["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_text(code).wait_for()
    assert address in popup.inner_text()
    assert popup.get_by_role("link", name="Mở hồ sơ").get_attribute("href").endswith(f"/cases/{case_id}")
    assert page_errors.errors == []


def sum_of_cluster_counts(drawn):
    """The cases in clusters: all drawn cases but the single ones."""
    return drawn["cases"] - drawn["points"]


def test_a_filtered_map_accounts_for_exactly_the_filtered_cases(app, live_server, desk, ten_thousand, page_errors):
    filters = CaseFilters(stage="warning", overdue=True)
    with app.app_context():
        expected = count_cases(db.session, filters, ten_thousand["today"])
    assert 0 < expected < CASES
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "chutich-demo")
    page.goto(f"{live_server}/map/?stage=warning&overdue=1")
    _wait_drawn(page)
    drawn = page.evaluate(DRAWN)
    assert drawn["cases"] == expected, (drawn, expected)  # the unplaced cases are all "detected": none here
    # Every one of them overdue: single ones ringed, each cluster's red badge counting all its cases.
    late = page.evaluate("""() => { let ringed = 0, badge = 0;
        InspectMap.state.map.eachLayer(l => { if (l.options.caseId && l.options.weight === 4) ringed += 1; });
        InspectMap.state.map.eachLayer(l => { if (l.options.caseCount) badge += Number(l.options.lateLabel.replace(/\\D/g, '')); });
        return ringed + badge; }""")
    assert late == expected
    layer_list = page.locator(".leaflet-control-layers-overlays").text_content()
    assert re.search(r"Lập biên bản / cảnh báo \(([\d.]+)\)", layer_list).group(1).replace(".", "") == str(expected)
    assert page_errors.errors == []
