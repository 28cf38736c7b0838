"""The demo ward: boundary and routes from the bundled seed file, and one user per role."""
from dataclasses import dataclass, field
from pathlib import Path

from . import accounts, geography
from .geo_import import parse_geo_file
from .roles import ADMIN, CHAIRMAN, INSPECTOR

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
    existing = {route.code for route, _ in geography.routes_with_length(session)}
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
