"""Small builders for test data: images, GPS paths along a route, users."""
import io
import math
import uuid
from datetime import UTC
from itertools import pairwise

from geographiclib.geodesic import Geodesic
from PIL import Image

WGS84 = Geodesic.WGS84


def jpeg_bytes(width=640, height=480, colour=(180, 60, 40), gps=None, taken="2026:11:26 09:15:00"):
    """A real JPEG; gps=(lon, lat) adds EXIF GPS, taken adds EXIF DateTimeOriginal (local time)."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    if taken:
        exif[0x8769] = {36867: taken}
    if gps:
        lon, lat = gps
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: _dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: _dms(abs(lon))}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=85)
    return buffer.getvalue()


def png_bytes(width, height, mode="L"):
    """A real PNG (compresses well even when huge: good for decompression-bomb tests)."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def _dms(value):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return (float(degrees), float(minutes), round(seconds, 4))


def new_uuid():
    return str(uuid.uuid4())


def geodesic_length(coords):
    """Metres along a lon/lat path."""
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in pairwise(coords))


def points_along(coords, step_m):
    """Points every step_m metres along a lon/lat path, ends included."""
    out = [tuple(coords[0])]
    for a, b in pairwise(coords):
        line = WGS84.InverseLine(a[1], a[0], b[1], b[0])
        count = max(1, math.ceil(line.s13 / step_m))
        for i in range(1, count + 1):
            position = line.Position(line.s13 * i / count)
            out.append((position["lon2"], position["lat2"]))
    return out


def offset(lon, lat, metres_east=0.0, metres_north=0.0):
    """The point metres east and north of (lon, lat)."""
    if metres_north:
        moved = WGS84.Direct(lat, lon, 0 if metres_north > 0 else 180, abs(metres_north))
        lon, lat = moved["lon2"], moved["lat2"]
    if metres_east:
        moved = WGS84.Direct(lat, lon, 90 if metres_east > 0 else 270, abs(metres_east))
        lon, lat = moved["lon2"], moved["lat2"]
    return lon, lat


_case_numbers = iter(range(1, 10**6))


# What a BB or a decision needs about the owner and the works (case_facts.NEEDED_BY_DOCUMENT).
COMPLETE_FACTS = {"owner_name": "Nguyễn Văn Mẫu", "owner_id_number": "092080001234",
                  "owner_address": "12 Lộ Vòng Cung, Thới Long", "address": "1 Lộ Vòng Cung", "plot_number": "125",
                  "map_sheet": "18", "works_kind": "Nhà ở riêng lẻ", "works_state": "in_progress",
                  "permit_number": "45/GPXD", "permit_date": "2026-03-02"}


def facts_missing_from(case, action_key):
    """The form fields that complete what the action's document needs, for the facts the case lacks (as an
    inspector fills them in on the record's form)."""
    from inspect_app.domain.cases import case_facts, workflow

    document = workflow.ACTIONS[action_key].document
    needed = case_facts.needed_facts(document.kind, case.category) if document else ()
    return {name: COMPLETE_FACTS[name] for name in needed if getattr(case, name) in (None, "")}


def make_case(session, officer_id, stage="detected", due=None, **fields):
    """A case stored directly (no report), at any stage, for lifecycle tests."""
    from datetime import datetime

    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from inspect_app.models import Violation

    values = dict(
        client_uuid=new_uuid(), code=f"TL-2027-{next(_case_numbers):04d}", stage=stage, inspector_id=officer_id,
        officer_id=officer_id, position=from_shape(Point(105.5975, 10.1775), srid=4326), category="no_permit",
        address="1 Lộ Vòng Cung", owner_name="Nguyễn Văn Mẫu", owner_id_number="092080001234",
        owner_address="12 Lộ Vòng Cung, Thới Long", plot_number="125", map_sheet="18", works_kind="Nhà ở riêng lẻ",
        works_state="in_progress", detected_at=datetime(2027, 1, 20, 2, 0, tzinfo=UTC),
        due_date=due, due_rule="penalty_decision" if due else "", due_citation="",
    )
    values.update(fields)
    case = Violation(**values)
    session.add(case)
    session.flush()
    return case


def east_of_the_ward(session, metres):
    """A point this many metres east of the ward boundary's easternmost point."""
    from geoalchemy2.shape import to_shape
    from sqlalchemy import select

    from inspect_app.models import Ward

    boundary = to_shape(session.scalar(select(Ward.boundary)))
    parts = [boundary] if boundary.geom_type == "Polygon" else list(boundary.geoms)
    east = max((c for part in parts for c in part.exterior.coords), key=lambda c: c[0])
    return offset(*east, metres_east=metres)


def import_through_admin(client, token, content, filename, confirm_outside=False, **fields):
    """The admin's two-step import: send the file (a preview comes back), then save what was shown.
    Returns the last response (the refusal when the file is refused at the first step)."""
    import html
    import io
    import re

    first = client.post("/admin/geography/import", content_type="multipart/form-data",
                        data={"csrf_token": token, "file": (io.BytesIO(content), filename), **fields})
    if first.status_code != 200:
        return first
    page = first.get_data(as_text=True)
    shown = html.unescape(re.search(r'name="geojson" value="([^"]*)"', page).group(1))
    second = {"csrf_token": token, "geojson": shown, "file_name": filename}
    if confirm_outside:
        second["confirm_outside"] = "1"
    return client.post("/admin/geography/import", data=second)


def many_cases(session, count, officer_id, box, seed=20, unplaced=0, today=None):
    """`count` cases inserted in bulk (thousands a second) at random points of the box (minlon, minlat,
    maxlon, maxlat), in every stage, about a fifth with a deadline already past `today`; the last
    `unplaced` of them with no position (stage "detected", no deadline). Codes TL-2026-Nnnnnn. Returns nothing: count with queries."""
    import random
    from datetime import datetime, timedelta

    from sqlalchemy import insert

    from inspect_app.domain.cases.stages import STAGES
    from inspect_app.models import Violation

    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        placed = i < count - unplaced
        stage = rng.choice(STAGES) if placed else "detected"
        due = None
        if today is not None and stage != "closed" and placed:
            due = today + timedelta(days=rng.choice([-3, -1, 2, 5, 9]))
        rows.append({
            "client_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "code": f"TL-2026-N{i:06d}", "stage": stage,
            "detected_at": now, "inspector_id": officer_id, "officer_id": officer_id,
            "position": f"SRID=4326;POINT({rng.uniform(box[0], box[2])} {rng.uniform(box[1], box[3])})" if placed else None,
            "outside_ward": False, "address": f"Số {i} Lộ Vòng Cung", "khu_vuc": "", "owner_name": "", "owner_phone": "",
            "category": "no_permit", "description": "", "created_at": now, "due_date": due,
            "due_rule": "penalty_decision" if due else "",
        })
        if len(rows) == 2000:
            session.execute(insert(Violation.__table__), rows)
            rows = []
    if rows:
        session.execute(insert(Violation.__table__), rows)
