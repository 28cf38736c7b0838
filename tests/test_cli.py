"""flask users …, flask seed-demo and flask geo import, with good and bad input."""
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.domain.accounts import accounts
from inspect_app.domain.geo import geography
from inspect_app.extensions import db

DATA = Path(__file__).parent / "data"


def test_users_create_with_password_then_login(app, runner, auth):
    result = runner.invoke(
        args=["users", "create", "lan", "--role", "inspector", "--full-name", "Phạm Thị Lan", "--password", "mat-khau-dai"]
    )
    assert result.exit_code == 0, result.output
    assert "lan" in result.output
    assert auth.login("lan", "mat-khau-dai").status_code == 302


def test_users_create_prompts_for_a_hidden_password(app, runner):
    result = runner.invoke(args=["users", "create", "minh", "--role", "chairman"], input="mat-khau-dai\nmat-khau-dai\n")
    assert result.exit_code == 0, result.output
    assert "mat-khau-dai" not in result.output
    with app.app_context():
        assert accounts.authenticate(db.session, "minh", "mat-khau-dai").role == "chairman"


@pytest.mark.parametrize(
    "args,message",
    [
        (["users", "create", "x", "--role", "inspector", "--password", "mat-khau-dai"], "không hợp lệ"),
        (["users", "create", "hoa", "--role", "inspector", "--password", "ngan"], "ít nhất 8 ký tự"),
        (["users", "create", "hoa", "--role", "mayor", "--password", "mat-khau-dai"], "mayor"),
        (["users", "create", "hoa<script>", "--role", "inspector", "--password", "mat-khau-dai"], "không hợp lệ"),
    ],
)
def test_users_create_refuses_bad_input_and_stores_nothing(app, runner, db_snapshot, args, message):
    before = db_snapshot()
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert db_snapshot() == before


def test_users_create_refuses_a_duplicate(app, runner, demo_ward, db_snapshot):
    before = db_snapshot()
    result = runner.invoke(args=["users", "create", "KIEMTRA", "--role", "admin", "--password", "mat-khau-dai"])
    assert result.exit_code != 0 and "đã tồn tại" in result.output
    assert db_snapshot() == before


def test_users_list_and_deactivate(app, runner, demo_ward):
    listing = runner.invoke(args=["users", "list"]).output
    assert "kiemtra" in listing and "chutich" in listing and "quantri" in listing
    result = runner.invoke(args=["users", "deactivate", "kiemtra"])
    assert result.exit_code == 0
    assert "INACTIVE" in runner.invoke(args=["users", "list"]).output
    missing = runner.invoke(args=["users", "deactivate", "nobody"])
    assert missing.exit_code != 0 and "nobody" in missing.output


def test_the_command_line_never_deactivates_the_last_administrator(app, runner, demo_ward, db_snapshot):
    """As the admin pages: the ward would be left with nobody who can manage accounts (issue 21)."""
    before = db_snapshot()
    result = runner.invoke(args=["users", "deactivate", "quantri"])
    assert result.exit_code != 0 and "quản trị viên cuối cùng còn hoạt động" in result.output, result.output
    assert db_snapshot() == before
    assert runner.invoke(args=["users", "create", "quantri2", "--role", "admin", "--password", "mat-khau-dai"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "quantri"]).exit_code == 0


def test_seed_demo_loads_the_ward_and_is_idempotent(app, runner, db_snapshot):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "kiemtra / kiemtra-demo" in first.output
    after_first = db_snapshot()
    assert len(after_first["users"]) == 3 and len(after_first["routes"]) == 3 and len(after_first["wards"]) == 1
    with app.app_context():
        from inspect_app.models import Violation

        stages = set(db.session.scalars(select(Violation.stage)))
    assert stages == {"detected", "warning", "stop_work", "enforcement", "closed"}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "không thay đổi" in second.output
    assert db_snapshot() == after_first
    assert "nguyên vẹn" in runner.invoke(args=["audit", "verify"]).output


def test_seed_demo_keeps_flags_and_sources(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert ward.name == "Phường Thới Long" and ward.code_prefix == "TL"
        assert "01/7/2025" in ward.boundary_name and not ward.boundary_verified and "GADM" in ward.boundary_source
        routes = {r.code: r for r, _ in geography.routes_with_length(db.session)}
        assert set(routes) == {"R1", "R2", "R3"}
        assert not any(r.verified for r in routes.values())
    assert all(r.source.startswith("Vị trí tạm") for r in routes.values())  # the unverified note, in Vietnamese


def test_seed_demo_if_empty_leaves_a_set_up_ward_alone(app, runner, db_snapshot):
    runner.invoke(args=["geo", "import", str(DATA / "boundary_good.geojson")])
    before = db_snapshot()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and db_snapshot() == before


def test_geo_import_geojson_routes(app, runner):
    result = runner.invoke(args=["geo", "import", str(DATA / "routes_good.geojson")])
    assert result.exit_code == 0, result.output
    assert "R4" in result.output and "landmark" in result.output
    with app.app_context():
        route, length = next(row for row in geography.routes_with_length(db.session) if row[0].code == "R4")
        assert route.verified and route.corridor_m == 40 and route.name == "Tuyến thử – Bắc Vàng"
        assert 1000 < length < 1300


def test_geo_import_replaces_a_route_by_code(app, runner, demo_ward):
    with app.app_context():
        old_id = next(r.id for r, _ in geography.routes_with_length(db.session) if r.code == "R1")
    replacement = DATA / "track_good.gpx"
    result = runner.invoke(
        args=["geo", "import", str(replacement), "--code", "R1", "--name", "Tuyến UBND – cầu Rạch Sung (đo thực tế)"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        routes = {r.code: r for r, _ in geography.routes_with_length(db.session)}
        assert routes["R1"].id == old_id and "đo thực tế" in routes["R1"].name and len(routes) == 3


def test_geo_import_boundary(app, runner):
    result = runner.invoke(args=["geo", "import", str(DATA / "boundary_good.geojson")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert ward.boundary_name == "Ranh giới thử" and ward.boundary_verified


def test_geo_import_gpx_track(app, runner):
    result = runner.invoke(args=["geo", "import", str(DATA / "track_good.gpx")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        routes = {r.code: r for r, _ in geography.routes_with_length(db.session)}
        assert routes["R5"].name == "R5 Tuyến chợ mới" and not routes["R5"].verified


def test_seed_file_with_two_boundaries_needs_a_choice(app, runner, db_snapshot):
    before = db_snapshot()
    seed = Path(app.root_path) / "data" / "thoi_long_seed.geojson"
    result = runner.invoke(args=["geo", "import", str(seed)])
    assert result.exit_code != 0 and "--boundary" in result.output
    assert db_snapshot() == before


BAD_FILES = {
    "broken.geojson": ('{"type": "FeatureCollection", "features": [', "không phải GeoJSON hợp lệ"),
    "not_geojson.json": ('{"hello": "world"}', 'thiếu trường "type"'),
    "projected.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[580000,1120000],[580500,1120400]]}}',
        "VN-2000",
    ),
    "crs.geojson": (
        '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3405"}},"features":[]}',
        "EPSG::3405",
    ),
    "lat_out_of_range.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[105.5,95.0],[105.6,10.1]]}}',
        "ngoài phạm vi",
    ),
    "lon_out_of_range.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[185.5,10.0],[105.6,10.1]]}}',
        "ngoài phạm vi",
    ),
    "one_point.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[105.5,10.0],[105.5,10.0]]}}',
        "cần ít nhất hai điểm",
    ),
    "single_coordinate.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[105.5,10.0]]}}',
        "R9",
    ),
    "no_code.geojson": (
        '{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[105.5,10.0],[105.6,10.1]]}}',
        '"code"',
    ),
    "nan.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[NaN,10.0],[105.6,10.1]]}}',
        "R9",
    ),
    "string_coords.geojson": (
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[["105.5","10.0"],[105.6,10.1]]}}',
        "R9",
    ),
    "self_intersecting.geojson": (
        '{"type":"Feature","properties":{"name":"Nơ"},"geometry":{"type":"Polygon","coordinates":[[[105.5,10.0],[105.6,10.1],[105.6,10.0],[105.5,10.1],[105.5,10.0]]]}}',
        "không phải đa giác hợp lệ",
    ),
    "empty.geojson": ('{"type":"FeatureCollection","features":[]}', "không có ranh giới"),
    "duplicate_codes.geojson": (
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[105.5,10.0],[105.6,10.1]]}},'
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[105.5,10.0],[105.6,10.2]]}}]}',
        "hai lần",
    ),
    "partly_bad.geojson": (
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"code":"R8"},"geometry":{"type":"LineString","coordinates":[[105.5,10.0],[105.6,10.1]]}},'
        '{"type":"Feature","properties":{"code":"R9"},"geometry":{"type":"LineString","coordinates":[[105.5,99.0],[105.6,10.1]]}}]}',
        "ngoài phạm vi",
    ),
    "no_track.gpx": ((DATA / "no_track.gpx").read_text(), "không có track"),
    "broken.gpx": ("<gpx><trk><trkseg><trkpt lat='10' lon=", "không phải GPX hợp lệ"),
    "one_point.gpx": (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>R9</name><trkseg>'
        '<trkpt lat="10.1" lon="105.5"/></trkseg></trk></gpx>',
        "cần ít nhất hai điểm",
    ),
    "out_of_range.gpx": (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>R9</name><trkseg>'
        '<trkpt lat="99" lon="105.5"/><trkpt lat="10.1" lon="105.6"/></trkseg></trk></gpx>',
        "ngoài phạm vi",
    ),
    "routes.kml": ("<kml/>", ".kml"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_geo_import_refuses_bad_files_and_stores_nothing(app, runner, demo_ward, db_snapshot, tmp_path, name):
    content, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = db_snapshot()
    result = runner.invoke(args=["geo", "import", str(path)])
    assert result.exit_code != 0, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert db_snapshot() == before


def test_geo_import_of_a_missing_file(app, runner, tmp_path):
    result = runner.invoke(args=["geo", "import", str(tmp_path / "nope.geojson")])
    assert result.exit_code != 0 and "Không đọc được tệp" in result.output


def test_seed_demo_again_after_a_route_was_retired_changes_nothing(app, runner):
    from inspect_app.domain.geo import route_admin
    from inspect_app.models.types import utcnow

    runner.invoke(args=["seed-demo"])
    with app.app_context():
        route = route_admin.get_route_or_fail(db.session, geography.list_routes(db.session)[0].id)
        route_admin.retire_route(route, utcnow())
        db.session.commit()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert len(geography.list_routes(db.session)) == 3
