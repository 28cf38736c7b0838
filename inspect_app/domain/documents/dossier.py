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


def build_dossier(session: Session, case: Violation, far_m: float, early: timedelta) -> Dossier:
    """The case file's content, read from the database as it is now."""
    visits = session.scalars(select(Visit).where(Visit.violation_id == case.id).order_by(Visit.visited_at)).all()
    facts = [(name, fact.label, case_facts.shown(name, getattr(case, name))) for name, fact in case_facts.FACTS.items()]
    history = list(case.events)
    return Dossier(case, facts, history, photo_evidence(case, far_m, early, _photos_of(case, visits)),
                   history[-1].content_hash if history else "", _sketch(session, case))


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

    def read(self) -> bytes:
        """The file's bytes."""
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path.read_bytes()


MANIFEST_NOTE = """Hồ sơ {code}: kiểm tra tính toàn vẹn / checking that nothing was changed

    unzip {stem}.zip -d {stem} && cd {stem} && sha256sum -c SHA256SUMS

Mỗi dòng phải in "OK"; một tệp bị sửa in "FAILED". Every line must say OK; a changed file says FAILED.
Dấu vân tay chuỗi nhật ký (chain head) / the case history's chain head: {chain_head}
{missing}"""


def dossier_zip(files: Sequence[DossierFile], code: str, stem: str, chain_head: str) -> bytes:
    """The ZIP: the files, SHA256SUMS (`sha256sum -c` format), MANIFEST.csv (name, SHA-256, size) and
    README.txt saying how to check it. A file that cannot be read (a photo gone from the disk) is not
    left out silently: README.txt names it with its recorded SHA-256."""
    out = io.BytesIO()
    sums, rows, missing = [], [], []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            try:
                data = item.read()
            except OSError:
                missing.append(f"THIẾU / MISSING: {item.expected_sha256 or '?'} {item.name}\n")
                continue
            digest = hashlib.sha256(data).hexdigest()
            # Photos are compressed already: stored as they are, so the ZIP is quick and the file identical.
            kind = zipfile.ZIP_STORED if item.name.lower().endswith((".jpg", ".jpeg", ".png", ".webp", ".pdf")) else zipfile.ZIP_DEFLATED
            archive.writestr(item.name, data, compress_type=kind)
            sums.append(f"{digest}  {item.name}\n")
            rows.append((item.name, digest, len(data)))
        archive.writestr("SHA256SUMS", "".join(sums))
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(("file", "sha256", "size_bytes"))
        writer.writerows(rows)
        archive.writestr("MANIFEST.csv", table.getvalue())
        archive.writestr("README.txt", MANIFEST_NOTE.format(code=code, stem=stem, chain_head=chain_head,
                                                            missing="".join(missing)))
    return out.getvalue()
