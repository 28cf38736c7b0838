"""Photo uploads in a request: reading and decoding them before the transaction, and keeping
files and rows together."""
import uuid
from contextlib import contextmanager

from flask import current_app, request

from .domain.field.photos import PhotoFiles, prepare_photo, prepare_photos, with_phone_facts
from .extensions import db


def outside_transaction(work, *args, **kwargs):
    """Run slow work that needs no database (decoding photos, parsing an import file) with no
    transaction open. A writing request holds SQLite's write lock from its first query (see
    domain/geo/spatial/engine.py): ending that transaction first lets the other inspectors write meanwhile."""
    db.session.rollback()  # nothing is written before this point in any view that calls it
    return work(*args, **kwargs)


def uploaded_photos(owner_uuid, rules, phone_ids=True):
    """[PreparedPhoto] of the request's `photos` files, checked and decoded outside the transaction.

    phone_ids=False ignores `photo_uuid` fields (a case event's photos are always new ones).
    """
    photos = outside_transaction(prepare_photos, _uploads(owner_uuid, phone_ids), rules.max_photo_bytes,
                                 rules.max_photo_pixels, rules.max_photos)
    phone_facts = request.form.getlist("photo_exif")
    return [with_phone_facts(photo, phone_facts[i] if i < len(phone_facts) else "") for i, photo in enumerate(photos)]


def uploaded_photo(photo_uuid, storage, rules):
    """The PreparedPhoto of one file sent alone (the outbox's photo requests), decoded outside the transaction."""
    upload = (photo_uuid, storage.read(), (storage.filename or "photo")[:80])
    photo = outside_transaction(prepare_photo, upload, rules.max_photo_bytes, rules.max_photo_pixels)
    return with_phone_facts(photo, request.form.get("photo_exif", ""))


def _uploads(owner_uuid, phone_ids=True):
    """[(photo uuid, bytes, file name)] from the request's `photos` files, in order.

    A photo's UUID comes from the matching `photo_uuid` field; when the phone sent none,
    it is derived from the record's UUID and the photo's place, so a repeat is still harmless.
    """
    files = [f for f in request.files.getlist("photos") if f and (f.filename or f.content_length)]
    given = request.form.getlist("photo_uuid") if phone_ids else []
    uploads = []
    for index, storage in enumerate(files):
        photo_uuid = given[index] if index < len(given) else ""
        try:
            photo_uuid = str(uuid.UUID(photo_uuid))
        except ValueError:
            base = uuid.UUID(owner_uuid) if owner_uuid else uuid.NAMESPACE_URL
            photo_uuid = str(uuid.uuid5(base, f"photo-{index}"))
        uploads.append((photo_uuid, storage.read(), (storage.filename or f"#{index + 1}")[:80]))
    return uploads


@contextmanager
def photo_transaction():
    """Yield PhotoFiles; commit the session at the end, or roll back and delete the files."""
    files = PhotoFiles(current_app.config["PHOTO_DIR"])
    try:
        yield files
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.discard()
        raise
