"""The URLs the browser scripts use, from url_for: base.html puts them as a JSON block on the pages whose
scripts ask for them (field users', the admin's; static/js/urls.js reads it), so no script knows where
the app is mounted (e.g. under /kiemtra/)."""
from uuid import UUID

from flask import url_for

# url_for needs a value for each part of a path; these stand for it and become {uuid} / {id} in the URL.
_UUID_MARK = UUID("00000000-0000-4000-8000-00000000d1d1")
_ID_MARK = 2_000_000_017


def _template(endpoint, **marks):
    """The URL of endpoint with each marked value replaced by {name}, e.g. /api/patrols/{uuid}/end."""
    values = {key: (_UUID_MARK if kind == "uuid" else _ID_MARK) for key, kind in marks.items()}
    url = url_for(endpoint, **values)
    for key, kind in marks.items():
        placeholder = "{" + ("uuid" if kind == "uuid" else "id") + "}"
        url = url.replace(str(values[key]), placeholder, 1)
    return url


def page_urls():
    """Name → URL for every URL a script on the app's pages needs (no user data in any of them)."""
    return {
        "scope": url_for("main.home"),
        "worker": url_for("main.service_worker"),
        "session": url_for("api.session_info"),
        "routes": url_for("api.routes_geojson"),
        "openCases": url_for("api.open_violations"),
        "nearby": url_for("api.nearby_violations"),
        "startPatrol": url_for("api.start_patrol"),
        "patrolPoints": _template("api.add_track_points_by_uuid", client_uuid="uuid"),
        "patrolEnd": _template("api.end_patrol_by_uuid", client_uuid="uuid"),
        "photos": url_for("api.add_photo"),
        "visits": url_for("api.log_visit"),
        "fieldLive": url_for("field.live"),
        "fieldReport": url_for("field.report"),
        "fieldToday": url_for("field.today"),
        "fieldPatrol": _template("field.patrol", patrol_id="id"),
    }
