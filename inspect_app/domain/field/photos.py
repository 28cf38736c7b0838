"""Photos: checked to be real images, stored under random names, with SHA-256 and EXIF facts.

Files are written before the database commit; PhotoFiles removes them again when the
transaction fails, so neither a row without a file nor a file without a row is left.
"""
from __future__ import annotations

import hashlib
import io
import json
import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Photo
from ..errors import N_, Conflict, InvalidInput
from ..inputs import plausible_day
from ..ward_time import VIETNAM_OFFSET

if TYPE_CHECKING:
    from ...models import User, Violation, Visit

ALLOWED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
THUMB_SIZE = 320


@dataclass(frozen=True)
class ImageFacts:
    """What a checked image is."""

    media_type: str
    extension: str
    width: int
    height: int
    taken_at: datetime | None
    lon: float | None
    lat: float | None


def inspect_image(data: bytes, max_bytes: int, max_pixels: int, name: str = "") -> ImageFacts:
    """Check that data is a whole JPEG, PNG or WebP image of sane size; return its facts."""
    image, facts = _open_checked(data, max_bytes, max_pixels, name)
    image.close()
    return facts


def _open_checked(data, max_bytes, max_pixels, name):
    """(decoded image, facts): the one place a photo is decoded."""
    if not data:
        raise InvalidInput(N_("Photo %(name)s is empty."), name=name)
    if len(data) > max_bytes:
        raise InvalidInput(N_("Photo %(name)s is larger than %(mb)s MB."), name=name, mb=max_bytes // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise InvalidInput(N_("Photo %(name)s is not a JPEG, PNG or WebP image."), name=name)
            width, height = image.size
            # Checked from the header, before decoding: a 20000 x 20000 image would need
            # over a gigabyte of memory to open.
            if width * height > max_pixels:
                raise _too_many_pixels(name, max_pixels)
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name, max_pixels) from None
    except UnidentifiedImageError:
        raise InvalidInput(N_("Photo %(name)s is not a readable image."), name=name) from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidInput(N_("Photo %(name)s is damaged or incomplete."), name=name) from None
    media_type, extension = ALLOWED_FORMATS[image.format]
    taken_at, lon, lat = _exif_facts(image)
    return image, ImageFacts(media_type, extension, width, height, taken_at, lon, lat)


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo checked and decoded once (its facts, SHA-256 and thumbnail), ready to be stored quickly."""

    client_uuid: str
    data: bytes
    name: str
    facts: ImageFacts
    sha256: str
    thumbnail: bytes
    exif_source: str = ""  # "file": read from the file received; "phone": read on the phone before downscaling


def prepare_photo(upload: Any, max_bytes: int, max_pixels: int) -> PreparedPhoto:
    """Check and decode one upload (photo uuid, bytes, file name); raises InvalidInput. No database needed,
    so views run it before their transaction (decoding a 40-megapixel photo takes a while)."""
    if isinstance(upload, PreparedPhoto):
        return upload
    client_uuid, data, name = upload
    image, facts = _open_checked(data, max_bytes, max_pixels, name)
    with image:
        thumbnail = _thumbnail_of(image)
    return PreparedPhoto(client_uuid, data, name, facts, hashlib.sha256(data).hexdigest(), thumbnail)


def _too_many_pixels(name, max_pixels):
    return InvalidInput(
        N_("Photo %(name)s has too many pixels; at most %(mp)s megapixels are accepted."),
        name=name, mp=max_pixels // 1_000_000,
    )


def exif_time(stamp: object, offset: object = None) -> datetime | None:
    """An EXIF DateTimeOriginal ("2026:11:26 09:15:00", local time; OffsetTimeOriginal if given, else
    Vietnam time) as UTC, or None when implausible; raises ValueError when it is not a date at all."""
    local = datetime.strptime(str(stamp).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    zone = VIETNAM_OFFSET
    if offset and len(str(offset)) >= 6:
        sign = -1 if str(offset)[0] == "-" else 1
        hours, minutes = int(str(offset)[1:3]), int(str(offset)[4:6])
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    # Year 1 or 9999 with an offset has no UTC time: the fact is unreadable, the photo still good.
    return local.replace(tzinfo=zone).astimezone(UTC) if plausible_day(local) else None


def with_phone_facts(photo: PreparedPhoto, phone_facts: Any) -> PreparedPhoto:
    """The photo with the EXIF facts the phone read from the original file before making it smaller
    (the smaller file has none). Facts in the file received win; the source is kept (file/phone)."""
    facts = photo.facts
    if facts.taken_at is not None or facts.lon is not None:
        return replace(photo, exif_source="file")
    if not phone_facts:
        return photo
    taken_at, lon, lat = read_phone_facts(phone_facts, photo.name)
    if taken_at is None and lon is None:
        return photo
    return replace(photo, facts=replace(facts, taken_at=taken_at, lon=lon, lat=lat), exif_source="phone")


def read_phone_facts(raw: str | None, name: str) -> tuple[datetime | None, float | None, float | None]:
    """(taken_at UTC, lon, lat) from the phone's JSON {"taken": EXIF date, "offset", "lat", "lon"};
    raises InvalidInput when it is not what the app's script sends."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(value, dict):
            raise ValueError
        taken_at = exif_time(value["taken"], value.get("offset")) if value.get("taken") else None
        lon, lat = value.get("lon"), value.get("lat")
        if lon is None or lat is None:
            lon = lat = None
        else:
            if isinstance(lon, bool) or isinstance(lat, bool):
                raise ValueError
            lon, lat = float(lon), float(lat)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90) or lon != lon or lat != lat:
                raise ValueError
    except (ValueError, TypeError, KeyError, OverflowError):
        raise InvalidInput(N_("Photo %(name)s: the time and place read on the phone are not valid."), name=name) from None
    return taken_at, lon, lat


def _exif_facts(image):
    try:
        exif = image.getexif()
    except Exception:  # broken EXIF must not refuse an otherwise good photo
        return None, None, None
    taken_at = lon = lat = None
    try:
        details = exif.get_ifd(0x8769)
        stamp = details.get(36867) or exif.get(306)
        if stamp:
            taken_at = exif_time(stamp, details.get(36881))
    except (ValueError, TypeError, KeyError, OverflowError):
        taken_at = None
    try:
        gps = exif.get_ifd(0x8825)
        if gps and 2 in gps and 4 in gps:
            lat = _degrees(gps[2]) * (-1 if gps.get(1) in ("S", b"S") else 1)
            lon = _degrees(gps[4]) * (-1 if gps.get(3) in ("W", b"W") else 1)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                lon = lat = None
    except (ValueError, TypeError, ZeroDivisionError, IndexError):
        lon = lat = None
    return taken_at, lon, lat


def _degrees(dms):
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600


class PhotoFiles:
    """Writes photo files into the photo folder and can take them back if the commit fails."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.written = []

    def write(self, photo: PreparedPhoto) -> tuple[str, str]:
        """Store a PreparedPhoto and its thumbnail under new random names; return (name, thumb name)."""
        token = secrets.token_hex(16)
        stored_name = f"{token[:2]}/{token}.{photo.facts.extension}"
        thumb_name = f"{token[:2]}/{token}.thumb.jpg"
        folder = self.directory / token[:2]
        folder.mkdir(parents=True, exist_ok=True)
        self._write_file(stored_name, photo.data)
        self._write_file(thumb_name, photo.thumbnail)
        return stored_name, thumb_name

    def _write_file(self, name, data):
        target = self.directory / name
        temporary = target.with_name(target.name + ".part")
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
        temporary.replace(target)
        self.written.append(target)

    def discard(self) -> None:
        """Remove every file written by this object (call when the transaction failed)."""
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written = []


def _thumbnail_of(image):
    """A JPEG thumbnail at most THUMB_SIZE pixels on its long side, upright, of a decoded image."""
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((THUMB_SIZE, THUMB_SIZE))
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=80)
    return out.getvalue()


def add_photo(session: Session, files: PhotoFiles, upload: Any, uploader: User, max_bytes: int, max_pixels: int,
              violation: Violation | None = None, visit: Visit | None = None) -> Photo:
    """Store one photo (a PreparedPhoto, or an upload to check first) for a violation or visit;
    returns the Photo (not committed)."""
    photo_in = prepare_photo(upload, max_bytes, max_pixels)
    existing = session.scalar(select(Photo).where(Photo.client_uuid == photo_in.client_uuid))
    if existing is not None:
        same_owner = (
            existing.uploaded_by_id == uploader.id
            and (violation is None or existing.violation_id == violation.id)
            and (visit is None or existing.visit_id == visit.id)
        )
        if not same_owner:
            raise Conflict(N_("This photo was already sent with another record."))
        if photo_in.sha256 != existing.sha256:
            raise Conflict(N_("A different photo was already received under this identifier; the first one is kept."))
        return existing
    facts = photo_in.facts
    stored_name, thumb_name = files.write(photo_in)
    photo = Photo(
        client_uuid=photo_in.client_uuid, public_id=secrets.token_hex(16), violation=violation, visit=visit,
        uploaded_by_id=uploader.id, stored_name=stored_name, thumb_name=thumb_name, media_type=facts.media_type,
        sha256=photo_in.sha256, size_bytes=len(photo_in.data), width=facts.width,
        height=facts.height, taken_at=facts.taken_at, exif_lon=facts.lon, exif_lat=facts.lat,
        exif_source=photo_in.exif_source or ("file" if facts.taken_at or facts.lon is not None else ""),
    )
    session.add(photo)
    return photo


def prepare_photos(uploads: Sequence[Any], max_bytes: int, max_pixels: int, max_count: int) -> list[PreparedPhoto]:
    """Check every photo of a record before anything is stored; returns them as PreparedPhotos."""
    if len(uploads) > max_count:
        raise InvalidInput(N_("At most %(n)s photos per record."), n=max_count)
    return [prepare_photo(upload, max_bytes, max_pixels) for upload in uploads]


def photo_file(directory: str | Path, stored_name: str) -> Path:
    """The path of a stored photo; names come from the database, never from a request."""
    base = Path(directory).resolve()
    path = (base / stored_name).resolve()
    if base not in path.parents:
        raise InvalidInput(N_("Invalid photo name."))
    return path


def orphan_files(session: Session, directory: str | Path, older_than: timedelta, now: datetime) -> list[Path]:
    """Files in the photo folder that no photo row names (and unfinished `.part` files), last
    changed before now - older_than: what a request killed mid-upload or a full disk leaves."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    named = {name for row in session.execute(select(Photo.stored_name, Photo.thumb_name)) for name in row if name}
    cutoff = (now - older_than).timestamp()
    return sorted(path for path in directory.rglob("*")
                  if path.is_file() and path.relative_to(directory).as_posix() not in named
                  and path.stat().st_mtime < cutoff)
