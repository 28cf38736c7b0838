"""The demo ward: boundary and routes from the bundled seed file, and one user per role."""
import functools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from geoalchemy2.shape import to_shape
from shapely.ops import substring

from ..domain.accounts import accounts
from ..domain.accounts.roles import ADMIN, CHAIRMAN, INSPECTOR
from ..domain.cases import case_actions
from ..domain.field import field_reports
from ..domain.field.coverage import local_projection
from ..domain.geo import geography
from ..domain.geo.geo_import import parse_geo_file
from ..models import Route, Violation

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "thoi_long_seed.geojson"
# The seed holds the old and the merged (1 July 2025) outlines; the ward today is the merged one.
DEMO_BOUNDARY = "Phường Thới Long (từ 01/7/2025: Thới Long + Long Hưng + Tân Hưng)"
DEMO_USERS = (
    ("kiemtra", INSPECTOR, "Nguyễn Văn Kiểm (demo)", "kiemtra-demo"),
    ("chutich", CHAIRMAN, "Trần Thị Chủ Tịch (demo)", "chutich-demo"),
    ("quantri", ADMIN, "Lê Văn Quản Trị (demo)", "quantri-demo"),
)


@dataclass
class SeedReport:
    """What seeding added; empty lists mean it was all there already."""

    ward_created: bool = False
    routes_created: list = field(default_factory=list)
    users_created: list = field(default_factory=list)
    logins: list = field(default_factory=list)


def seed_demo(session, ward_name, code_prefix, default_corridor_m=50):
    """Add the demo ward, its three routes and demo users, leaving anything present untouched."""
    report = SeedReport(logins=[(u, role, pw) for u, role, _, pw in DEMO_USERS])
    parsed = parse_geo_file(SEED_FILE)
    if geography.get_ward(session) is None:
        boundary = geography.choose_boundary(parsed.boundaries, DEMO_BOUNDARY)
        parsed.boundaries = [boundary]
        report.ward_created = True
    else:
        parsed.boundaries = []
    existing = {route.code for route, _ in geography.routes_with_length(session, include_retired=True)}
    parsed.routes = [r for r in parsed.routes if r.code not in existing]
    result = geography.import_geography(
        session, parsed, ward_name, code_prefix, default_corridor_m=default_corridor_m
    )
    report.routes_created = result.routes_created
    for username, role, full_name, password in DEMO_USERS:
        if accounts.find_user(session, username) is None:
            accounts.create_user(session, username, role, password, full_name=full_name)
            report.users_created.append(username)
    return report


DEMO_NAMESPACE = uuid.UUID("5f0c6a52-8a6f-4c1e-9a57-1d9c2b7e0d11")
# (route, share along it, metres off the road, category, khu vực, address, owner, story)
DEMO_CASES = (
    ("R1", 0.15, 20, "no_permit", "Thới Mỹ", "Số 12 Lộ Vòng Cung", "Nguyễn Văn Bình", "detected"),
    ("R1", 0.55, 15, "deviates_from_permit", "Thới Mỹ", "Số 48 Lộ Vòng Cung", "Trần Thị Cúc", "recorded"),
    ("R1", 0.90, 25, "encroachment", "Bắc Vàng", "Gần cầu Rạch Sung", "Lê Văn Dũng", "record_overdue"),
    ("R2", 0.30, 10, "no_permit", "Thới Xương 2", "Chợ Thới Xương 2, ki-ốt 7", "Phạm Thị Én", "proposed"),
    ("R3", 0.40, 30, "wrong_land_use", "Thới Mỹ", "Tổ 5, đất nông nghiệp", "Võ Văn Phúc", "decided"),
    ("R3", 0.75, 20, "no_screening", "Bắc Vàng", "Đường ra bến sông Hậu", "Huỳnh Thị Giang", "closed"),
)


def _demo_facts(index, khu_vuc, category):
    """Made-up owner, plot and works facts (the first demo case has none: its record's form asks for them)."""
    facts = {"owner_id_number": f"0920800012{index:02d}", "owner_address": f"Tổ {index}, khu vực {khu_vuc}, phường Thới Long",
             "plot_number": str(100 + 7 * index), "map_sheet": str(10 + index), "works_kind": "Nhà ở riêng lẻ",
             "works_state": "in_progress"}
    if category == "deviates_from_permit":
        facts.update(permit_number="35/GPXD", permit_date="2026-05-12")
    return facts



def _act(session, case, context, files, user, key, days_ago=None, mode="record", **fields):
    """One step of a demo case's story, dated days_ago before today."""
    form = {"action": key, "mode": mode, "version": str(case.version), **fields}
    if days_ago is not None:
        form["document_date"] = (context.today - timedelta(days=days_ago)).isoformat()
    return case_actions.take_action(session, case, user, case_actions.read_action_input(form, [], context.today), context,
                                    files)

def seed_demo_cases(session, context, rules, files):
    """Six demo cases along the routes, at every stage; cases already there are left alone."""
    inspector = accounts.find_user(session, "kiemtra")
    chairman = accounts.find_user(session, "chutich")
    created = []
    for index, (route_code, share, offset_m, category, khu_vuc, address, owner, story) in enumerate(DEMO_CASES, start=1):
        client_uuid = str(uuid.uuid5(DEMO_NAMESPACE, f"case-{index}"))
        if session.query(Violation.id).filter_by(client_uuid=client_uuid).first() is not None:
            continue
        route = session.query(Route).filter_by(code=route_code).one_or_none()
        if route is None or inspector is None or chairman is None:
            continue
        line = to_shape(route.geom)
        at = substring(line, share, share, normalized=True)
        lat_per_m = 1 / local_projection(at.x, at.y)(at.x, at.y + 1)[1]
        lon, lat = at.x, at.y + offset_m * lat_per_m
        report = field_reports.read_violation_report({
            "client_uuid": client_uuid, "lon": lon, "lat": lat, "category": category, "khu_vuc": khu_vuc,
            "address": address, "owner_name": owner, "description": "Dữ liệu mẫu (demo)", "confirm_new": "1",
            "confirm_outside": "1", "gps_lon": lon, "gps_lat": lat, "gps_accuracy_m": 8,
            **(_demo_facts(index, khu_vuc, category) if story != "detected" else {}),
        }, [])
        case, _ = field_reports.report_violation(session, inspector, report, rules, files)
        act = functools.partial(_act, session, case, context, files)

        if story in ("recorded", "record_overdue", "proposed", "decided", "closed"):
            days = {"recorded": 2, "record_overdue": 20, "proposed": 6, "decided": 30, "closed": 40}[story]
            act(inspector, "record_violation", days, document_number=f"{index:02d}/BB-VPHC")
        if story == "proposed":
            act(inspector, "start_stop_work", 5)
            act(inspector, "penalty_decision", mode="propose", fine_vnd="60000000",
                remedy="Buộc phá dỡ phần xây dựng không phép")
        if story == "decided":
            act(chairman, "penalty_decision", 25, fine_vnd="40000000",
                remedy="Buộc khôi phục tình trạng ban đầu của đất")
            act(inspector, "deliver_decision", 24)
        if story == "closed":
            act(chairman, "close", outcome="self_corrected", note="Chủ đầu tư đã tự tháo dỡ")
        created.append(case.code)
    return created
