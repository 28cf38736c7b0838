"""Backups of the ward's data: the database (a consistent copy while the app runs) and the photo
files, in one folder with a manifest; and putting such a folder back."""
import hashlib
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from ..models import Photo
from .errors import N_, InvalidInput
from .spatial import snapshot

MANIFEST = "backup.json"
PHOTOS = "photos"


def create_backup(engine, photo_dir, target):
    """Copy the database, then the photos, into the new folder target; returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise InvalidInput(N_("The backup folder %(path)s is not empty; choose a new one."), path=str(target))
    target.mkdir(parents=True, exist_ok=True)
    # Database first: every photo a stored row names was written before its row was committed, so
    # copying the files afterwards finds them all. Only files a row names are copied: what a killed
    # request left behind stays out (a photo committed after the snapshot may come along; the sweep
    # removes it after a restore).
    snapshot_at = datetime.now(timezone.utc)  # the moment the backup stands for
    database_file = snapshot.dump(engine, target)
    files = _copy_tree(Path(photo_dir), target / PHOTOS, only=referenced_photo_files(engine))
    manifest = {"made_at": snapshot_at.isoformat(), "copied_until": datetime.now(timezone.utc).isoformat(),
                "database": database_file, "database_kind": engine.url.get_backend_name(), "photos": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def restore_backup(engine, photo_dir, source):
    """Replace the database's content and the photo folder with the backup in source."""
    source = Path(source)
    manifest = read_manifest(source)
    for name, digest in manifest["photos"].items():
        if _sha256(source / PHOTOS / name) != digest:
            raise InvalidInput(N_("The backup's photo %(name)s is damaged; nothing was restored."), name=name)
    snapshot.restore(engine, source)
    photo_dir = Path(photo_dir)
    photo_dir.mkdir(parents=True, exist_ok=True)
    for stale in [p for p in photo_dir.rglob("*") if p.is_file()]:
        if stale.relative_to(photo_dir).as_posix() not in manifest["photos"]:
            stale.unlink()
    _copy_tree(source / PHOTOS, photo_dir)
    return manifest


def read_manifest(source):
    """The manifest of a backup folder, or InvalidInput."""
    try:
        return json.loads((Path(source) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput(N_("%(path)s is not a backup made by this app (no readable %(name)s)."),
                           path=str(source), name=MANIFEST)


def referenced_photo_files(engine):
    """The photo and thumbnail file names that photo rows name (relative to the photo folder)."""
    with engine.connect() as connection:
        rows = connection.execute(select(Photo.stored_name, Photo.thumb_name)).all()
    return {name for row in rows for name in row if name}


def _copy_tree(source, target, only=None):
    """Copy the files under source (those named in `only`, when given) into target; returns {relative name: sha256}."""
    files = {}
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return files
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        if only is not None and name not in only:
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, destination)
        except FileNotFoundError:
            continue  # removed meanwhile by a request that failed and rolled back: no row names it
        files[name] = _sha256(destination)
    return files


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
