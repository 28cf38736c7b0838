"""Photo uploads in a request: reading them, and keeping files and rows together."""
import uuid
from contextlib import contextmanager

from flask import current_app, request

from .domain.photos import PhotoFiles
from .extensions import db


def uploaded_photos(record_uuid):
    """[(photo uuid, bytes, file name)] from the request's `photos` files, in order.

    A photo's UUID comes from the matching `photo_uuid` field; when the phone sent none,
    it is derived from the record's UUID and the photo's place, so a repeat is still harmless.
    """
    files = [f for f in request.files.getlist("photos") if f and (f.filename or f.content_length)]
    given = request.form.getlist("photo_uuid")
    uploads = []
    for index, storage in enumerate(files):
        photo_uuid = given[index] if index < len(given) else ""
        try:
            photo_uuid = str(uuid.UUID(photo_uuid))
        except ValueError:
            base = uuid.UUID(record_uuid) if record_uuid else uuid.NAMESPACE_URL
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
