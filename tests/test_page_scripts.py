"""The shared scripts of base.html load only where they do something: a desk page waits for none of them."""
import re

from .test_cases_web import login


def _scripts(html):
    return set(re.findall(r'/static/js/([a-z_]+\.js)"', html))


def test_the_chairmans_pages_load_no_field_or_offline_scripts(app, people, demo_ward):
    chairman = login(app, "chutich")
    assert _scripts(chairman.get("/map/").get_data(as_text=True)) == {"grid_clusters.js", "map.js", "map_overview.js"}
    home = chairman.get("/").get_data(as_text=True)
    assert _scripts(home) & {"urls.js", "offline.js", "outbox.js", "tracker.js"} == set()
    assert "badge.js" in _scripts(home) and '<meta name="app-badge" content="' in home  # his to-do count
    assert "page-urls" not in home


def test_field_users_admins_and_the_logged_out_keep_theirs(app, people, demo_ward):
    today = _scripts(login(app, "kiemtra").get("/field/today").get_data(as_text=True))
    assert {"urls.js", "offline.js", "badge.js", "outbox.js", "outbox_queue.js", "tracker.js", "field.js"} <= today
    admin = login(app, "quantri").get("/admin/").get_data(as_text=True)
    assert "urls.js" in _scripts(admin) and 'id="page-urls"' in admin  # the import preview asks its URLs
    logged_out = _scripts(app.test_client().get("/login").get_data(as_text=True))
    assert {"offline.js", "badge.js"} <= logged_out  # the kept pages removed, the badge cleared
    assert "urls.js" not in logged_out
