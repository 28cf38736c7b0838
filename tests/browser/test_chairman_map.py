"""The chairman's map in desktop Chromium with no internet: layers, toggles, filters, safe popups."""
import re
from contextlib import contextmanager

from geoalchemy2.shape import from_shape
from playwright.sync_api import expect
from shapely.geometry import LineString

from inspect_app.domain.cases import overview
from inspect_app.extensions import db
from inspect_app.models import Route, Violation
from inspect_app.rules import lifecycle_context

from ..factories import make_case
from .conftest import ARTIFACTS, login

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "${alert(2)}",
    "`-alert(4)-`\\`${alert(5)}\\",
    "</script><script>alert(3)</script>",
    # Template source for Jinja (Folium renders its output twice) and other engines: shown as typed.
    "Tuyen {{7*191}}",
    "{% for x in range(3) %}x{% endfor %}",
    "Hẻm {{ 3 {# c #} #{7*191}",
)


def _offline(context, outside):
    """Anything not served by the app (except map tiles, answered blank) is refused and noted."""
    def guard(route):
        outside.append(route.request.url)
        route.abort()
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|tile\.openstreetmap\.org).*"), guard)


def _wait_loaded(page, count):
    """Until the map has loaded this many cases (safe while the page is still navigating)."""
    page.wait_for_function("n => (document.getElementById('ward-map') || {dataset: {}}).dataset.loaded === String(n)",
                           arg=count)


def _open_layer_list(page):
    """Scroll the whole map into view and open the layer list, as the chairman does with the mouse.

    Leaflet closes the list when the pointer leaves it; were the page to scroll while clicking a
    box low in the list, the list would slide from under the pointer and close.
    """
    page.locator("#ward-map").scroll_into_view_if_needed()
    page.locator(".leaflet-control-layers").hover()
    expect(page.locator(".leaflet-control-layers")).to_have_class(re.compile(r"leaflet-control-layers-expanded"))
    assert page.evaluate("() => { const r = document.querySelector('.leaflet-control-layers').getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= window.innerHeight; }"), "layer list not fully on screen"


@contextmanager
def _redrawn(page):
    """Waits, after the block, until the map has drawn its view again (and painted it)."""
    drawn = int(page.evaluate("Number(document.getElementById('ward-map').dataset.drawn || 0)"))
    yield
    page.wait_for_function("n => Number(document.getElementById('ward-map').dataset.drawn) > n", arg=drawn)


def _layers(page):
    """Per stage: whether its layer is on and how many cases it draws (cluster counts plus single cases);
    the boundary's and lines' shapes."""
    return page.evaluate("""() => {
        const s = InspectMap.state, out = {};
        for (const [stage, layer] of Object.entries(s.layers)) {
            let n = 0;
            layer.eachLayer(l => { n += l.options.caseCount || (l.options.caseId ? 1 : 0); });
            out[stage] = {on: s.map.hasLayer(layer), n};
        }
        const shapes = Object.values(s.map._layers).filter(l => l.feature && l.feature.geometry);
        out.boundary = shapes.filter(l => l.feature.geometry.type.includes('Polygon')).length;
        out.lines = shapes.filter(l => l.feature.geometry.type === 'LineString').length;
        return out; }""")


def test_chairman_map_layers_toggle_and_filter(app, live_server, desk, runner, page_errors):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    outside = []
    _offline(desk, outside)
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "chutich-demo")
    page.get_by_role("link", name="Bản đồ").first.click()
    page.wait_for_url(re.compile(r".*/map/$"))
    _wait_loaded(page, 6)
    layers = _layers(page)
    assert layers["boundary"] >= 1 and layers["lines"] >= 3
    assert sum(v["n"] for k, v in layers.items() if isinstance(v, dict)) == 6
    assert layers["warning"]["n"] == 2 and layers["warning"]["on"]
    page.screenshot(path=str(ARTIFACTS / "desk-map.png"), full_page=True)
    box = page.locator("#ward-map").bounding_box()
    assert box["y"] + box["height"] / 2 < 900, box  # most of the map on the desk's first screen

    _open_layer_list(page)
    with _redrawn(page):
        page.locator(".leaflet-control-layers-overlays label", has_text="Lập biên bản / cảnh báo").locator("input").uncheck()
    assert _layers(page)["warning"] == {"on": False, "n": 0}
    assert "(2)" in page.locator(".leaflet-control-layers-overlays label", has_text="Lập biên bản / cảnh báo").inner_text()
    _open_layer_list(page)
    with _redrawn(page):
        page.locator(".leaflet-control-layers-overlays label", has_text="Lập biên bản / cảnh báo").locator("input").check()
    assert _layers(page)["warning"] == {"on": True, "n": 2}

    with app.app_context():
        r1_cases = db.session.query(Violation).filter(Violation.route.has(code="R1")).count()
    page.select_option("select[name=route]", label="R1")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(re.compile(r".*route=\d+.*"))
    _wait_loaded(page, r1_cases)
    assert 0 < r1_cases < 6
    assert page_errors.errors == [] and outside == []


def test_typed_text_never_runs_on_the_map(app, live_server, desk, people, page_errors):
    with app.app_context():
        for i, payload in enumerate(PAYLOADS):
            make_case(
                db.session,
                people["inspector"],
                "warning",
                address=payload,
                owner_name=payload,
                description=payload,
                khu_vuc=payload[:100],
            )
            db.session.add(
                Route(
                    code=f"X{i}",
                    name=payload,
                    corridor_m=50,
                    source=payload,
                    geom=from_shape(LineString([(105.59, 10.17 + i / 1000), (105.60, 10.18)]), srid=4326),
                )
            )
        db.session.commit()
    dialogs = []
    page = page_errors(desk.new_page())
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, live_server, "chutich", "mat-khau-dai")
    page.goto(f"{live_server}/map/")
    _wait_loaded(page, len(PAYLOADS))
    texts = page.evaluate("""async () => {
        const texts = [];
        for (const id of InspectMap.state.cases.ids) {
            // The popup as a click opens it, with the details asked from the server.
            const popup = await InspectMap.showCase(id);
            texts.push(popup.getElement().textContent);
            InspectMap.state.map.closePopup();
        }
        return texts; }""")
    assert len(texts) == len(PAYLOADS), texts
    for payload in PAYLOADS:
        assert any(payload in t for t in texts), (payload, texts)  # shown as text, not run
    layer_names = page.locator(".leaflet-control-layers-overlays").inner_text()
    for payload in PAYLOADS:
        assert payload in layer_names, payload  # route names in the layer control, as text
    _wait_numbers(page)
    per_place = page.inner_text("#open-per-place")
    for payload in PAYLOADS:
        assert payload[:100] in per_place, payload  # khu vực names in the open cases per place, as text
    assert "1337" not in page.content() and "Tuyen 1337" not in layer_names
    page.goto(f"{live_server}/cases/")
    page.wait_for_timeout(300)
    assert dialogs == [] and page_errors.errors == []


def _wait_numbers(page):
    """Until the overview's numbers have come (or failed to)."""
    page.wait_for_function("!document.getElementById('overview').hasAttribute('aria-busy')")


def _cards(page):
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#overview .stat')]
        .map(card => [card.dataset.stage || card.dataset.stat, card.querySelector('.num').textContent]))""")


# Every text written on a canvas, in order (the clusters' counts and overdue badges are).
CANVAS_TEXTS = """(() => {
    window.canvasTexts = [];
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.canvasTexts.push(String(text));
        return fillText.call(this, text, ...rest);
    };
})();"""


def test_the_map_asks_once_for_its_cases_and_for_its_numbers_once_they_are_drawn(app, live_server, desk, runner, page_errors):
    """The page's head asks for the cases as the page arrives and map.js draws that answer (no second
    request); the overview's numbers are asked for once the cases are drawn, and show the ward's counts."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "chutich-demo")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "cases.json" in r.url or "overview.json" in r.url else None)
    page.goto(f"{live_server}/map/")
    _wait_loaded(page, 6)
    _wait_numbers(page)
    assert [u.split("/")[-1] for u in asked] == ["cases.json", "overview.json"], asked
    drawn, numbers_asked = page.evaluate("""() => [performance.getEntriesByName('cases-drawn')[0].startTime,
        performance.getEntriesByType('resource').find(e => e.name.includes('/map/overview.json')).startTime]""")
    assert numbers_asked >= drawn
    with app.app_context():
        numbers = overview.overview_numbers(db.session, lifecycle_context(app.config).today)
    expected = {str(stage): str(n) for stage, n in numbers["per_stage"].items()}
    expected |= {key: str(numbers[key]) for key in ("new_this_week", "overdue", "waiting", "closed_this_week")}
    assert _cards(page) == expected and sum(numbers["per_stage"].values()) > 0
    assert page.inner_text("#open-per-place [data-list=per_route]") == " · ".join(f"{code} {n}" for code, n in numbers["per_route"])
    assert numbers["per_route"] and page_errors.errors == []

    # The numbers cannot be had: the cards say nothing rather than a wrong number, and the page says why.
    page.route("**/map/overview.json", lambda route: route.fulfill(status=500, body="{}"))
    page.reload()
    _wait_loaded(page, 6)
    _wait_numbers(page)
    assert set(_cards(page).values()) == {"–"}
    assert "Không tải được các con số" in page.locator("#overview + [role=alert]").inner_text()
    assert [e for e in page_errors.errors if "/map/overview.json" not in e] == []


def _heat_pixels(page):
    """How many pixels of the heatmap's canvas are painted (0 when there is no such canvas)."""
    return page.evaluate("""() => {
        const canvas = document.querySelector('canvas.leaflet-heatmap-layer');
        if (!canvas || !canvas.width) return 0;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) n++;
        return n; }""")


def test_the_heatmap_comes_when_switched_on_and_goes_when_switched_off(app, live_server, desk, runner, page_errors):
    """Its library is asked for only when the chairman first switches it on (the page never waits for it);
    it then paints where the cases are, and switching it off and on again asks for nothing more. It holds
    the cases of the stages switched on, whether a stage is switched while it shows or while it is off."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "chutich-demo")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "leaflet-heat" in r.url else None)
    page.goto(f"{live_server}/map/")
    _wait_loaded(page, 6)
    assert asked == [] and _heat_pixels(page) == 0
    heat = page.locator(".leaflet-control-layers-overlays label", has_text="Bản đồ nhiệt vụ vi phạm").locator("input")
    _open_layer_list(page)
    heat.check()
    page.wait_for_function("document.querySelector('canvas.leaflet-heatmap-layer') !== null")
    page.wait_for_function("() => InspectMap.state.heatFilled === true")
    page.wait_for_timeout(100)  # its redraw waits for a frame
    assert _heat_pixels(page) > 100 and len(asked) == 1
    _open_layer_list(page)
    heat.uncheck()
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 0
    _open_layer_list(page)
    heat.check()
    page.wait_for_timeout(100)
    assert _heat_pixels(page) > 100 and len(asked) == 1
    # It shows the stages shown, as the circles do: the 2 warnings switched off leave 4 cases in it.
    heat_cases = "() => InspectMap.state.heatFilled ? InspectMap.state.heatLayer._latlngs.length : null"
    assert page.evaluate(heat_cases) == 6
    warnings = page.locator(".leaflet-control-layers-overlays label", has_text="Lập biên bản / cảnh báo").locator("input")
    _open_layer_list(page)
    warnings.uncheck()
    page.wait_for_function(f"({heat_cases})() === 4")
    _open_layer_list(page)
    heat.uncheck()
    _open_layer_list(page)
    warnings.check()  # while the heatmap is off: it follows when switched on again
    _open_layer_list(page)
    heat.check()
    page.wait_for_function(f"({heat_cases})() === 6")
    assert page_errors.errors == []


def test_when_the_heatmaps_library_cannot_be_had_the_map_says_so_and_tries_again(app, live_server, desk, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    page = desk.new_page()
    login(page, live_server, "chutich", "chutich-demo")
    page.route("**/leaflet-heat.js", lambda route: route.abort("internetdisconnected"))
    page.goto(f"{live_server}/map/")
    _wait_loaded(page, 6)
    heat = page.locator(".leaflet-control-layers-overlays label", has_text="Bản đồ nhiệt vụ vi phạm").locator("input")
    _open_layer_list(page)
    heat.check()
    expect(page.locator("#map-heat-note")).to_contain_text("Không tải được bản đồ nhiệt")
    # Its own line: the cases' line (which says when they could not be loaded) is left as it is.
    assert page.inner_text("#map-note") == "" and page.locator("#ward-map").get_attribute("data-load-failed") is None
    page.unroute("**/leaflet-heat.js")
    _open_layer_list(page)
    heat.uncheck()
    heat.check()
    page.wait_for_function("() => InspectMap.state.heatFilled === true")
    page.wait_for_timeout(100)
    assert _heat_pixels(page) > 100 and page.inner_text("#map-heat-note") == ""


def test_the_map_is_set_up_with_its_cases_and_without_them_when_they_hang(app, live_server, desk, runner, page_errors):
    """The map (routes, tiles) is made when the cases have answered, and its first picture has them, their
    clusters' counts written; a request for the cases that hangs keeps it away 2 s at most."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    desk.add_init_script(CANVAS_TEXTS)
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "chutich-demo")
    held = []
    page.route("**/api/map/cases.json*", lambda route: held.append(route))
    page.goto(f"{live_server}/map/")
    page.wait_for_function("document.getElementById('overview') !== null")
    page.wait_for_timeout(800)
    assert len(held) == 1 and page.locator(".leaflet-container").count() == 0  # no map without its cases yet
    held.pop().continue_()
    _wait_loaded(page, 6)
    # The map was made in the task that drew the cases: nothing of it was painted before.
    assert page.evaluate("performance.getEntriesByName('map-init')[0].startTime") >= 800
    labels = page.evaluate("""() => { const out = [];
        for (const layer of Object.values(InspectMap.state.layers))
            layer.eachLayer(m => { if (m.options.label) out.push(m.options.label); });
        return out; }""")
    texts = page.evaluate("window.canvasTexts")
    assert labels and all(label in texts for label in labels), (labels, texts)  # counts painted, not just set

    page.goto(f"{live_server}/map/")  # now the request never answers
    page.wait_for_function("document.querySelector('.leaflet-container') !== null", timeout=5000)
    layers = _layers(page)
    assert layers["boundary"] >= 1 and layers["lines"] >= 3 and len(held) == 1
    assert page.evaluate("document.getElementById('ward-map').dataset.loaded") is None
    held.pop().continue_()  # it answers at last: the cases come
    _wait_loaded(page, 6)
    assert page_errors.errors == []


def test_the_map_works_with_the_tile_server_unreachable(app, live_server, browser, runner):
    """No internet at all: tiles fail, and boundary, routes and cases are still drawn."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1).*"), lambda route: route.abort())
    page = context.new_page()
    script_errors = []
    page.on("pageerror", lambda exc: script_errors.append(str(exc)))
    login(page, live_server, "chutich", "chutich-demo")
    page.goto(f"{live_server}/map/")
    _wait_loaded(page, 6)
    layers = _layers(page)
    assert layers["boundary"] >= 1 and layers["lines"] >= 3
    assert script_errors == []
    context.close()


def test_when_the_cases_cannot_be_loaded_the_map_says_so_instead_of_looking_up_to_date(app, live_server, desk, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    page = desk.new_page()
    login(page, live_server, "chutich", "chutich-demo")
    # The server fails: the map draws no case and says why, instead of an empty map that looks like "no cases".
    page.route("**/api/map/cases.json*", lambda route: route.fulfill(status=500, body="{}"))
    page.goto(f"{live_server}/map/")
    page.wait_for_function("document.getElementById('ward-map').dataset.loadFailed === '1'")
    note = page.locator("#map-note")
    assert "Không tải được các vụ việc" in note.inner_text() and note.get_attribute("role") == "alert"

    # No network at all: moving the map tries again, and the same message comes back.
    page.unroute("**/api/map/cases.json*")
    page.route("**/api/map/cases.json*", lambda route: route.abort("internetdisconnected"))
    page.evaluate("document.getElementById('map-note').textContent = ''")
    page.evaluate("() => { InspectMap.state.map.panBy([-200, 0]); }")
    page.wait_for_function("document.getElementById('map-note').textContent.includes('Không tải được')")

    # Back to normal: moving the map loads the cases, and the message goes.
    page.unroute("**/api/map/cases.json*")
    page.evaluate("() => { InspectMap.state.map.panBy([200, 0]); }")
    _wait_loaded(page, 6)
    page.wait_for_function("document.getElementById('ward-map').dataset.loadFailed === undefined")
    assert page.inner_text("#map-note") == ""


def test_cases_at_one_spot_are_listed_and_a_cluster_of_neighbours_zooms_in(app, live_server, desk, people, page_errors):
    """Reports of the same house never part however far one zooms (whatever the digits of their positions): a
    click lists them. Three houses
    55 m apart are one cluster at the ward's view: a click zooms in until they part."""
    from shapely.geometry import Point

    with app.app_context():
        # The same house 0.2 m apart, across the edge where 5 decimals round apart (105.60000 | 105.60001).
        same = [make_case(db.session, people["inspector"], "warning",
                          position=from_shape(Point(105.600004 + (i % 2) * 0.000002, 10.17), srid=4326)) for i in range(3)]
        for i in range(3):
            make_case(db.session, people["inspector"], "warning",
                      position=from_shape(Point(105.58 + i * 0.0005, 10.18), srid=4326))
        db.session.commit()
        codes = [case.code for case in same]
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "mat-khau-dai")
    page.goto(f"{live_server}/map/")
    _wait_loaded(page, 6)

    def click_cluster_at(lat, lon):
        at = page.evaluate("""([lat, lon]) => { const m = InspectMap.state.map; let hit = null;
            m.eachLayer(l => { if (l.options.caseCount && l.getLatLng().distanceTo([lat, lon]) < 100) hit = l; });
            if (!hit) return null;
            const p = m.latLngToContainerPoint(hit.getLatLng()), box = m.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y, count: hit.options.caseCount}; }""", [lat, lon])
        assert at, (lat, lon)
        page.mouse.click(at["x"], at["y"])
        return at["count"]

    zoom = page.evaluate("InspectMap.state.map.getZoom()")
    page.wait_for_function("() => Number(document.getElementById('ward-map').dataset.drawn || 0) > 0")  # painted
    drawn = int(page.evaluate("document.getElementById('ward-map').dataset.drawn"))
    assert click_cluster_at(10.18, 105.5805) == 3
    # Zoomed in (the view drawn again once the zoom's animation ended), no list opened.
    page.wait_for_function("n => Number(document.getElementById('ward-map').dataset.drawn) > n", arg=drawn)
    assert page.evaluate("InspectMap.state.map.getZoom()") > zoom
    assert page.locator(".leaflet-popup").count() == 0

    # The deepest zoom: the three reports of one house are one circle counting 3, and a click lists them.
    drawn = int(page.evaluate("document.getElementById('ward-map').dataset.drawn"))
    page.evaluate("() => { InspectMap.state.map.setView([10.17, 105.60], 19, {animate: false}); }")
    page.wait_for_function("n => Number(document.getElementById('ward-map').dataset.drawn) > n"
                           " && InspectMap.state.map.getZoom() === 19", arg=drawn)
    assert click_cluster_at(10.17, 105.60) == 3
    popup = page.locator(".leaflet-popup-content")
    for code in codes:
        popup.get_by_role("link", name=code).wait_for()
    assert "3 vụ tại chỗ này" in popup.inner_text()
    assert page_errors.errors == []
