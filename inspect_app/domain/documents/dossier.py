"""The case file (hồ sơ vụ việc): what its PDF shows and what its ZIP holds.

The PDF: a cover, a sketch of the position with the routes and the ward's boundary (the app's own
data), the facts, the whole history in order (corrections, proposals and rejections included), every
photo with when and where it was taken, its distance from the case and its SHA-256, and the head of
the case's hash chain. The ZIP adds the original photo files, the generated documents and the case as
GeoJSON, with a manifest (SHA256SUMS, for `sha256sum -c`, and MANIFEST.csv) so that the receiver can
check that nothing was changed.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CaseEvent, Photo, Route, Violation, Visit
from ..cases import case_facts
from ..field.coverage import to_local_metres
from ..field.field_reports import PhotoEvidence, photo_evidence, violation_lon_lat
from ..field.photos import photo_file
from ..geo import geography


@dataclass(frozen=True)
class Sketch:
    """The case's surroundings in metres around it (x east, y north): the ward's boundary rings, the
    routes as lines with their names, which route is nearest and how far; None coordinates when the
    case has no position."""

    boundary: list[list[tuple[float, float]]]
    routes: list[tuple[str, list[tuple[float, float]]]]
    nearest_route: str
    nearest_m: float | None
    has_position: bool


@dataclass(frozen=True)
class Dossier:
    """Everything the case file shows, in order."""

    case: Violation
    facts: list[tuple[str, str, str]]       # (name, label msgid, value as printed: a state's msgid)
    history: Sequence[CaseEvent]
    photos: list[PhotoEvidence]
    chain_head: str                         # the last entry's hash (what `flask audit verify` recomputes)
    sketch: Sketch
    photo_files: dict[int, str]             # photo id → FILE_OK, FILE_CHANGED or FILE_MISSING (the file on disk now)
    position: tuple[float, float] | None    # (lon, lat) the case has, or None when not known
    placed_by: CaseEvent | None             # the step that placed it on the map (None: the report's GPS or pin)


FILE_OK, FILE_CHANGED, FILE_MISSING = "ok", "changed", "missing"


def file_state(path: Path, recorded_sha256: str) -> str:
    """Whether a stored file still is what was recorded at upload (its SHA-256), changed, or gone."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return FILE_MISSING
    return FILE_OK if digest == recorded_sha256 else FILE_CHANGED


def _photos_of(case: Violation, visits: Iterable[Visit]) -> list[Photo]:
    photos = list(case.photos)
    for visit in visits:
        photos.extend(photo for photo in visit.photos if photo.violation_id is None)
    return photos


def _sketch(session: Session, case: Violation, reach_m: float = 600.0) -> Sketch:
    lon, lat = violation_lon_lat(None, case)
    if lon is None or lat is None:
        return Sketch([], [], "", None, False)
    ward = geography.get_ward(session)
    routes = session.scalars(select(Route).order_by(Route.id)).all()
    boundary = []
    if ward is not None and ward.boundary is not None:
        shape = to_local_metres(to_shape(ward.boundary), lon, lat)
        for polygon in getattr(shape, "geoms", [shape]):
            boundary.append([(x, y) for x, y in polygon.exterior.coords])
    lines, nearest, nearest_m = [], "", None
    for route in routes:
        line = to_local_metres(to_shape(route.geom), lon, lat)
        distance = line.distance(Point(0, 0))
        if nearest_m is None or distance < nearest_m:
            nearest, nearest_m = route.name, distance
        lines.append((route.name, [(x, y) for x, y in line.coords]))
    return Sketch(boundary, lines, nearest, nearest_m, True)


def build_dossier(session: Session, case: Violation, photo_dir: str | Path, far_m: float, early: timedelta) -> Dossier:
    """The case file's content, read from the database as it is now, each photo file checked against the
    SHA-256 recorded when it was uploaded."""
    visits = session.scalars(select(Visit).where(Visit.violation_id == case.id).order_by(Visit.visited_at)).all()
    facts = [(name, fact.label, case_facts.shown(name, getattr(case, name))) for name, fact in case_facts.FACTS.items()]
    history = list(case.events)
    evidence = photo_evidence(case, far_m, early, _photos_of(case, visits))
    states = {item.photo.id: file_state(photo_file(photo_dir, item.photo.stored_name), item.photo.sha256)
              for item in evidence}
    lon, lat = violation_lon_lat(None, case)
    placed = [event for event in history if event.lon is not None and event.kind in ("action", "approval")]
    return Dossier(case, facts, history, evidence, history[-1].content_hash if history else "", _sketch(session, case),
                   states, (lon, lat) if lon is not None and lat is not None else None, placed[-1] if placed else None)


def case_geojson(case: Violation) -> bytes:
    """The case as a GeoJSON Feature (its position, or none when unknown) with its facts and stage."""
    lon, lat = violation_lon_lat(None, case)
    properties = {"code": case.code, "stage": case.stage, "category": case.category, "outcome": case.outcome,
                  "detected_at": case.detected_at.isoformat(), "gps_accuracy_m": case.gps_accuracy_m,
                  "due_date": case.due_date.isoformat() if case.due_date else None,
                  **{name: case_facts.plain(getattr(case, name)) for name in case_facts.FACTS}}
    feature = {"type": "Feature", "properties": properties,
               "geometry": {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None}
    return json.dumps(feature, ensure_ascii=False, indent=1).encode("utf-8")


@dataclass(frozen=True)
class DossierFile:
    """One file of the ZIP: its name inside, and its bytes or the path to read them from."""

    name: str
    content: bytes | None = None
    path: Path | None = None
    expected_sha256: str = ""   # what the database recorded for the file (a photo's hash at upload)
    note: str = ""              # what the receiver should know of it (MANIFEST.csv)

    def read(self) -> bytes:
        """The file's bytes."""
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path.read_bytes()


MANIFEST_NOTE = """Hồ sơ {code}: kiểm tra tính toàn vẹn / checking that nothing was changed

    unzip {stem}.zip -d {stem} && cd {stem} && sha256sum -c SHA256SUMS

Mỗi dòng phải in "OK"; một tệp bị sửa in "FAILED". Every line must say OK; a changed file says FAILED.
Ảnh: mã SHA-256 là mã ghi nhận khi tải lên, không phải mã tính lại khi lập hồ sơ. Photos: the SHA-256 is the
one recorded at upload, not one computed now, so a photo changed on the server since then fails too.
Văn bản Word (van-ban/): tạo lại khi lập hồ sơ từ dữ liệu hiện tại, không phải bản đã ký. The Word documents
are made again from the case as it is now: they are not the signed papers.
Dấu vân tay chuỗi nhật ký (chain head) / the case history's chain head: {chain_head}
{problems}"""


def dossier_zip(files: Sequence[DossierFile], code: str, stem: str, chain_head: str) -> bytes:
    """The ZIP: the files, SHA256SUMS (`sha256sum -c` format), MANIFEST.csv (name, SHA-256, size, note) and
    README.txt saying how to check it. A file's line carries the SHA-256 recorded for it when there is one
    (a photo's, at upload): a photo changed or gone since then fails the check, and README.txt names it."""
    out = io.BytesIO()
    sums: list[str] = []
    rows: list[tuple[str, str, int | str, str]] = []
    problems: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            try:
                data = item.read()
            except OSError:
                sums.append(f"{item.expected_sha256 or '0' * 64}  {item.name}\n")
                rows.append((item.name, item.expected_sha256, "", "THIẾU: tệp không còn trên máy chủ / missing"))
                problems.append(f"THIẾU / MISSING: {item.name} (SHA-256 {item.expected_sha256 or '?'})\n")
                continue
            digest = hashlib.sha256(data).hexdigest()
            recorded = item.expected_sha256 or digest
            note = item.note
            if recorded != digest:
                note = "KHÁC VỚI LÚC TẢI LÊN / changed since upload" + (f"; {note}" if note else "")
                problems.append(f"KHÁC / CHANGED: {item.name} (ghi nhận {recorded}, tệp {digest})\n")
            # Photos are compressed already: stored as they are, so the ZIP is quick and the file identical.
            kind = zipfile.ZIP_STORED if item.name.lower().endswith((".jpg", ".jpeg", ".png", ".webp", ".pdf")) else zipfile.ZIP_DEFLATED
            archive.writestr(item.name, data, compress_type=kind)
            sums.append(f"{recorded}  {item.name}\n")
            rows.append((item.name, recorded, len(data), note))
        archive.writestr("SHA256SUMS", "".join(sums))
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(("file", "sha256", "size_bytes", "note"))
        writer.writerows(rows)
        archive.writestr("MANIFEST.csv", table.getvalue())
        archive.writestr("README.txt", MANIFEST_NOTE.format(code=code, stem=stem, chain_head=chain_head,
                                                            problems="".join(problems)))
    return out.getvalue()
