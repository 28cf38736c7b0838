"""Benchmark: the case file of a case with 40 events and 30 photos (targets: the PDF built in under 5 s
and under 20 MB), and its ZIP with the original photos; plus one official document as .docx and as PDF
(LibreOffice) and the same document's HTML through Chromium, to compare the two PDF paths.

Photos are phone-sized JPEGs (2048 x 1536, a few hundred KB each, as the phone sends them after
downscaling). The case gets its history through the real lifecycle. Runs on the database of
DATABASE_URL; through the app's own views (test client: no network time); median of BENCH_REPEAT.

    .venv/bin/python bench/dossier.py
    scripts/with-postgis-db.sh .venv/bin/python bench/dossier.py
"""
import io
import os
import sys
import uuid
from datetime import date, datetime, timedelta

import numpy as np
from common import fresh_app, median_of  # noqa: I001  (puts the project on the path first)
from geoalchemy2.shape import from_shape  # noqa: E402
from PIL import Image
from shapely.geometry import Point  # noqa: E402

from inspect_app.domain.accounts import accounts  # noqa: E402
from inspect_app.domain.cases import case_actions  # noqa: E402
from inspect_app.domain.cases.context import LifecycleContext  # noqa: E402
from inspect_app.domain.cases.deadlines import WorkingCalendar, rules_from_config  # noqa: E402
from inspect_app.domain.cases.workflow import ACTIONS  # noqa: E402
from inspect_app.domain.field import photos  # noqa: E402
from inspect_app.domain.field.field_reports import FieldRules  # noqa: E402
from inspect_app.domain.field.photos import PhotoFiles  # noqa: E402
from inspect_app.domain.ward_time import VIETNAM_OFFSET  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Violation  # noqa: E402
from inspect_app.reports import pdf  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "40"))
PHOTOS = int(os.environ.get("BENCH_PHOTOS", "30"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
TARGET_S, TARGET_MB = 5.0, 20
LON, LAT = 105.5935, 10.1745
# The legal steps (10), then site checks until EVENTS.
STEPS = [
    ("kiemtra", "record_violation", date(2026, 9, 1), {"document_number": "07/BB-VPHC"}),
    ("kiemtra", "start_stop_work", date(2026, 9, 2), {"document_number": "03/TB-UBND"}),
    ("kiemtra", "record_continuation", date(2026, 9, 3), {"document_number": "08/BB-VPHC"}),
    ("chutich", "penalty_decision", date(2026, 9, 8), {"fine_vnd": 60_000_000, "remedy": "Buộc phá dỡ", "compliance_days": 10}),
    ("kiemtra", "deliver_decision", date(2026, 9, 9), {}),
    ("chutich", "permit_window", date(2026, 9, 10), {}),
    ("chutich", "self_demolition_notice", date(2026, 10, 12), {"document_number": "15/TB-UBND"}),
    ("chutich", "enforcement_decision", date(2026, 11, 2), {"remedy": "Phá dỡ phần xây thêm"}),
    ("kiemtra", "deliver_enforcement_decision", date(2026, 11, 3), {}),
    ("kiemtra", "enforcement_record", date(2026, 11, 5), {"document_number": "21/BB-CC", "note": "Đã phá dỡ"}),
]


def _moment(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM_OFFSET)


def _act(session, files, case, user, key, when, **fields):
    ctx = LifecycleContext(rules=rules_from_config(None), calendar=WorkingCalendar(()), today=when.date(),
                           photo_rules=FieldRules())
    if ACTIONS[key].document is not None:
        fields.setdefault("document_date", when.date().isoformat())
    form = {"action": key, "mode": "record", "version": str(case.version), **{k: str(v) for k, v in fields.items()}}
    case_actions.take_action(session, case, user, case_actions.read_action_input(form, [], when.date()), ctx, files,
                             now=when)


def phone_photo(seed):
    """A 2048 x 1536 JPEG with a gradient and heavy grain (about 1 MB: more detail than most street photos,
    so the print copies are not flattered)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:1536, 0:2048]
    base = np.stack([(x / 8 + seed * 13) % 256, (y / 6 + seed * 7) % 256, ((x + y) / 10) % 256], axis=-1)
    pixels = np.clip(base + rng.normal(0, 14, base.shape), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def build_case(session, folder):
    """The case: owner, works, 30 photos, 40 events."""
    inspector, chairman = accounts.find_user(session, "kiemtra"), accounts.find_user(session, "chutich")
    users = {"kiemtra": inspector, "chutich": chairman}
    case = Violation(client_uuid=str(uuid.uuid4()), code="TL-2026-0042", inspector_id=inspector.id,
                     officer_id=inspector.id, position=from_shape(Point(LON, LAT), srid=4326), gps_lon=LON, gps_lat=LAT,
                     gps_accuracy_m=6, category="no_permit", address="Đường số 3, khu vực Thới Xương 2",
                     khu_vuc="Thới Xương 2", owner_name="Nguyễn Văn Ánh", owner_id_number="092087001234",
                     owner_address="Khu vực Thới Xương 2", plot_number="125", map_sheet="14", works_kind="Nhà ở riêng lẻ",
                     works_state="in_progress", detected_at=_moment(date(2026, 8, 31)), area_m2=45.5, floors=2,
                     description="Xây thêm tầng 2 không phép")
    session.add(case)
    session.flush()
    files = PhotoFiles(folder / "photos")
    photo_bytes = 0
    for index in range(PHOTOS):
        data = phone_photo(index)
        photo_bytes += len(data)
        photos.add_photo(session, files, (str(uuid.uuid4()), data, f"IMG_{index:04d}.jpg"), inspector, 20_000_000,
                         60_000_000, violation=case)
    for who, key, day, fields in STEPS:
        _act(session, files, case, users[who], key, _moment(day), **dict(fields))
    for number in range(len(STEPS) + 1, EVENTS + 1):
        _act(session, files, case, inspector, "site_check", _moment(date(2026, 11, 6) + timedelta(days=number // 3), 8 + number % 9),
             note=f"Kiểm tra lại hiện trường lần {number}: công trình đã dừng thi công.")
    session.commit()
    session.expire(case)
    return case.id, len(case.events), photo_bytes


def timed(fn):
    return median_of(fn, REPEAT)


def main():
    app, folder = fresh_app()
    with app.app_context():
        case_id, events, photo_bytes = build_case(db.session, folder)
        kind = db.engine.url.get_backend_name()
        penalty = next(e.id for e in db.session.get(Violation, case_id).events if e.action == "penalty_decision")
    client = app.test_client()
    client.post("/login", data={"username": "chutich", "password": "chutich-demo"})
    results = {}
    for label, path in (("dossier.pdf", f"/cases/{case_id}/dossier.pdf"), ("dossier.zip", f"/cases/{case_id}/dossier.zip"),
                        ("document .docx", f"/cases/{case_id}/documents/{penalty}.docx"),
                        ("document .pdf (LibreOffice)", f"/cases/{case_id}/documents/{penalty}.pdf")):
        seconds, response = timed(lambda path=path: client.get(path))
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
        results[label] = (seconds, len(response.data))
    chromium_s = _same_document_through_chromium(client, case_id, penalty)
    (folder / "dossier.pdf").write_bytes(client.get(f"/cases/{case_id}/dossier.pdf").data)
    print(f"case file kept in {folder / 'dossier.pdf'}")
    print(f"database: {kind}; case with {events} events and {PHOTOS} photos ({photo_bytes / 1e6:.1f} MB of originals); "
          f"median of {REPEAT}")
    print("| database | events / photos | case file PDF s / MB | case file ZIP s / MB | document .docx s / KB | "
          "document PDF (LibreOffice) s / KB | same document's HTML through Chromium s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    cells = [f"{results['dossier.pdf'][0]:.2f} / {results['dossier.pdf'][1] / 1e6:.1f}",
             f"{results['dossier.zip'][0]:.2f} / {results['dossier.zip'][1] / 1e6:.1f}",
             f"{results['document .docx'][0]:.2f} / {results['document .docx'][1] // 1024}",
             f"{results['document .pdf (LibreOffice)'][0]:.2f} / {results['document .pdf (LibreOffice)'][1] // 1024}",
             f"{chromium_s:.2f}"]
    print(f"| {kind} | {events} / {PHOTOS} | " + " | ".join(cells) + " |")
    seconds, size = results["dossier.pdf"]
    if seconds >= TARGET_S or size >= TARGET_MB * 1_000_000:
        print(f"TARGET MISSED: case file PDF {seconds:.2f} s, {size / 1e6:.1f} MB (targets < {TARGET_S} s, < {TARGET_MB} MB)")
        sys.exit(1)


def _same_document_through_chromium(client, case_id, event_id):
    """Chromium printing a page with the penalty decision's text (LibreOffice's competitor for documents):
    the text of the .docx as paragraphs, in the same font."""
    from docx import Document
    from markupsafe import escape

    document = Document(io.BytesIO(client.get(f"/cases/{case_id}/documents/{event_id}.docx").data))
    body = "".join(f"<p>{escape(p.text)}</p>" for p in document.paragraphs)
    html = f"<!doctype html><meta charset=utf-8><body style='font:13pt \"Times New Roman\"'>{body}</body>"
    seconds, _ = timed(lambda: pdf.html_to_pdf(html, pdf.find_chromium()))
    return seconds


if __name__ == "__main__":
    main()
