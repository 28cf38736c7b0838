"""A case taken through every document the ward writes, by the real lifecycle (events on chosen days,
all before the session's today), and a second case referred to the competent level."""
from datetime import date

from inspect_app.domain.cases.workflow import ACTIONS
from inspect_app.domain.field import photos
from inspect_app.domain.field.photos import PhotoFiles
from inspect_app.models import User

from .factories import jpeg_bytes, make_case, new_uuid, offset
from .weekly_scenario import _act, local

CASE_LON, CASE_LAT = 105.5975, 10.1775
# Each step of the full case: (who, action, day, extra fields). Dates keep every legal order and period.
STEPS = [
    ("inspector", "record_violation", date(2026, 9, 1), {"document_number": "07/BB-VPHC"}),
    ("inspector", "start_stop_work", date(2026, 9, 2), {"document_number": "03/TB-UBND"}),
    ("inspector", "record_continuation", date(2026, 9, 3), {"document_number": "08/BB-VPHC"}),
    ("chairman", "penalty_decision", date(2026, 9, 8), {"fine_vnd": 60_000_000, "remedy": "Buộc phá dỡ phần xây thêm",
                                                        "compliance_days": 10}),
    ("inspector", "deliver_decision", date(2026, 9, 9), {}),
    ("chairman", "permit_window", date(2026, 9, 10), {"note": "Có thể cấp phép"}),
    ("chairman", "self_demolition_notice", date(2026, 10, 12), {"document_number": "15/TB-UBND"}),
    ("chairman", "enforcement_decision", date(2026, 11, 2), {"remedy": "Phá dỡ phần xây thêm"}),
    ("inspector", "deliver_enforcement_decision", date(2026, 11, 3), {}),
    ("inspector", "enforcement_record", date(2026, 11, 5), {"document_number": "21/BB-CC",
                                                            "note": "Đã phá dỡ xong phần xây thêm"}),
]


def add_photos(session, photo_dir, case, uploader, count, width=640, height=480):
    """`count` JPEG photos with GPS near the case, stored as a report's photos are."""
    files = PhotoFiles(photo_dir)
    for index in range(count):
        lon, lat = offset(CASE_LON, CASE_LAT, metres_east=5 * index)
        data = jpeg_bytes(width, height, colour=(20 + index * 7 % 200, 90, 140), gps=(lat, lon))
        photos.add_photo(session, files, (new_uuid(), data, f"anh-{index}.jpg"), uploader, 20_000_000, 60_000_000,
                         violation=case)
    session.flush()


def build(session, people, photo_dir, photo_count=2, **case_fields):
    """({step action: event}, full case, referred case); committed by the caller."""
    users = {role: session.get(User, people[role]) for role in ("inspector", "chairman")}
    facts = {"owner_name": "Nguyễn Văn Ánh", "owner_address": "Khu vực Thới Xương 2, phường Thới Long",
             "address": "Đường số 3, khu vực Thới Xương 2", "khu_vuc": "Thới Xương 2", "area_m2": 45.5, "floors": 2,
             **case_fields}
    case = make_case(session, people["inspector"], code="TL-2026-0042", detected_at=local(date(2026, 8, 31)), **facts)
    add_photos(session, photo_dir, case, users["inspector"], photo_count)
    events = {}
    for role, key, day, fields in STEPS:
        fields = dict(fields)
        if ACTIONS[key].document is not None:
            fields.setdefault("document_date", day.isoformat())
        events[key] = _act(session, PhotoFiles(photo_dir), case, users[role], key, local(day), **fields)
    referred = make_case(session, people["inspector"], code="TL-2026-0043", detected_at=local(date(2026, 10, 1)),
                         owner_name="Trần Thị Bảo")
    _act(session, PhotoFiles(photo_dir), referred, users["inspector"], "record_violation", local(date(2026, 10, 2)),
         document_number="11/BB-VPHC", document_date="2026-10-02")
    events["refer_to_competent_level"] = _act(
        session, PhotoFiles(photo_dir), referred, users["chairman"], "refer_to_competent_level",
        local(date(2026, 10, 5)), document_number="31/UBND-KT", document_date="2026-10-05",
        note="Mức phạt vượt thẩm quyền")
    return events, case, referred
