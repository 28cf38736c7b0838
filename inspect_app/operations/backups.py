"""Backups of the ward's data: the database (a consistent copy while the app runs) and the photo
files, in one folder with a manifest; and putting such a folder back.

The nightly backup (`flask backup-nightly ROOT`, run by the timer) makes ROOT/<local date>, links the
photos unchanged since the previous night instead of copying them again (photos are written once),
keeps the instance's config and keys beside the data, is readable by the app's user only, and keeps
14 daily and 8 weekly backups by default. A photo folder says which database it belongs to (a marker
file written at backup and restore): a restore into another database never empties it.
"""
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.cases import audit
from ..domain.cases.stages import CLOSED
from ..domain.errors import N_, InvalidInput
from ..domain.geo.spatial import snapshot
from ..domain.ward_time import week_of
from ..models import CaseEvent, Photo, User, Violation, Visit

MANIFEST = "backup.json"
PHOTOS = "photos"
INSTANCE = "instance"
INSTANCE_FILES = ("config.py", "secret_key", "audit_key")  # the keys: without audit_key no seal can be checked
OWNER_MARKER = ".database"   # in the photo folder: the database (URL without password) it belongs to


def create_backup(engine, photo_dir, target, link_from=None, instance_dir=None):
    """Copy the database, then the photos, into the new folder target; returns the manifest. Photos that
    the backup in `link_from` holds with the same content are hard links to it; `instance_dir`'s config
    and keys are copied too."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise InvalidInput(N_("The backup folder %(path)s is not empty; choose a new one."), path=str(target))
    target.mkdir(parents=True, exist_ok=True)
    # Database first: every photo a stored row names was written before its row was committed, so
    # copying the files afterwards finds them all. Only files a row names are copied: what a killed
    # request left behind stays out (a photo committed after the snapshot may come along; the sweep
    # removes it after a restore).
    snapshot_at = datetime.now(UTC)  # the moment the backup stands for
    database_file = snapshot.dump(engine, target)
    previous = _linkable(link_from)
    files = _copy_tree(Path(photo_dir), target / PHOTOS, only=referenced_photo_files(engine), previous=previous)
    kept = _copy_instance(instance_dir, target / INSTANCE) if instance_dir else []
    manifest = {"made_at": snapshot_at.isoformat(), "copied_until": datetime.now(UTC).isoformat(),
                "database": database_file, "database_kind": engine.url.get_backend_name(), "photos": files,
                "instance": kept}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    _private(target)
    claim_photo_dir(engine, photo_dir)
    return manifest


def nightly_backup(engine, photo_dir, root, today, instance_dir=None, keep_daily=14, keep_weekly=8):
    """The timer's backup: ROOT/<today> linked to the newest earlier one, then old ones pruned; returns
    (folder, manifest or None when today's backup is already there, [pruned folders])."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    with _locked(root):  # one at a time: a hand-run backup, the timer's, a drill, a prune
        target = root / today.isoformat()
        if (target / MANIFEST).is_file():
            return target, None, []
        for unfinished in _unfinished(root):  # nights that died half-way (a full disk): start again
            shutil.rmtree(unfinished)
        earlier = [folder for day, folder in dated_backups(root) if day < today]
        manifest = create_backup(engine, photo_dir, target, link_from=earlier[-1] if earlier else None,
                                 instance_dir=instance_dir)
        return target, manifest, prune(root, keep_daily, keep_weekly)


@contextlib.contextmanager
def _locked(root):
    with open(Path(root) / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInput(N_("Another backup or drill is using %(path)s; try again when it has finished."),
                               path=str(root)) from None
        yield


def _unfinished(root):
    """Dated folders without a manifest."""
    found = []
    for folder in Path(root).iterdir():
        try:
            date.fromisoformat(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and not (folder / MANIFEST).is_file():
            found.append(folder)
    return found


def dated_backups(root):
    """[(date, folder)] of the complete backups in root named by their date, oldest first."""
    found = []
    for folder in Path(root).iterdir() if Path(root).is_dir() else ():
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if (folder / MANIFEST).is_file():
            found.append((day, folder))
    return sorted(found)


def prune(root, keep_daily, keep_weekly):
    """Delete the backups beyond the newest `keep_daily` and the newest of each of the last `keep_weekly`
    ISO weeks; returns the folders deleted."""
    backups = dated_backups(root)
    keep = {folder for _, folder in backups[-keep_daily:]} if keep_daily else set()
    newest_of_week = {}
    for day, folder in backups:
        newest_of_week[week_of(day).iso] = folder
    keep |= set(list(newest_of_week.values())[-keep_weekly:]) if keep_weekly else set()
    removed = [folder for _, folder in backups if folder not in keep]
    for folder in removed:
        shutil.rmtree(folder)
    return removed


def claim_photo_dir(engine, photo_dir):
    """Mark the photo folder as this database's (when no database has claimed it yet)."""
    marker = Path(photo_dir) / OWNER_MARKER
    if not marker.exists():
        Path(photo_dir).mkdir(parents=True, exist_ok=True)
        marker.write_text(database_identity(engine) + "\n", encoding="utf-8")


def database_identity(engine):
    """Which database this is, without its password."""
    return engine.url.render_as_string(hide_password=True)


def _check_photo_dir_owner(engine, photo_dir):
    marker = Path(photo_dir) / OWNER_MARKER
    owner = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    if owner is None and any(p.is_file() for p in Path(photo_dir).rglob("*")):
        raise InvalidInput(
            N_("The photo folder %(path)s has photos but does not say which database they belong to: make a backup of "
               "this database first (it marks the folder), or restore with PHOTO_DIR set to an empty folder."),
            path=str(photo_dir))
    if owner is not None and owner != database_identity(engine):
        raise InvalidInput(
            N_("The photo folder %(path)s belongs to another database (%(owner)s), not to %(target)s: restoring would "
               "replace its photos. Restore into the database that owns it, or set PHOTO_DIR to this database's own "
               "(empty) folder first."), path=str(photo_dir), owner=owner, target=database_identity(engine))


def restore_keys(source, instance_dir):
    """Put the backup's secret and audit keys back into the instance folder (a rebuilt machine made new
    ones; without the old audit key no seal checks). Returns the names restored."""
    restored = []
    for name in ("secret_key", "audit_key"):
        kept = Path(source) / INSTANCE / name
        if kept.is_file():
            target = Path(instance_dir) / name
            shutil.copyfile(kept, target)
            os.chmod(target, 0o600)
            restored.append(name)
    return restored


def restore_backup(engine, photo_dir, source):
    """Replace the database's content and the photo folder with the backup in source."""
    source = Path(source)
    manifest = read_manifest(source)
    _check_photo_dir_owner(engine, photo_dir)
    for name, digest in manifest["photos"].items():
        if _sha256(source / PHOTOS / name) != digest:
            raise InvalidInput(N_("The backup's photo %(name)s is damaged; nothing was restored."), name=name)
    snapshot.restore(engine, source)
    photo_dir = Path(photo_dir)
    photo_dir.mkdir(parents=True, exist_ok=True)
    for stale in [p for p in photo_dir.rglob("*") if p.is_file() and p.name != OWNER_MARKER]:
        if stale.relative_to(photo_dir).as_posix() not in manifest["photos"]:
            stale.unlink()
    _copy_tree(source / PHOTOS, photo_dir)
    claim_photo_dir(engine, photo_dir)
    return manifest


def read_manifest(source):
    """The manifest of a backup folder, or InvalidInput."""
    try:
        return json.loads((Path(source) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput(N_("%(path)s is not a backup made by this app (no readable %(name)s)."),
                           path=str(source), name=MANIFEST) from None


def referenced_photo_files(engine):
    """The photo and thumbnail file names that photo rows name (relative to the photo folder)."""
    with engine.connect() as connection:
        rows = connection.execute(select(Photo.stored_name, Photo.thumb_name)).all()
    return {name for row in rows for name in row if name}


def _copy_tree(source, target, only=None, previous=None):
    """Copy the files under source (those named in `only`, when given) into target; a file `previous`
    ({name: (sha256, path)}) holds with the same content becomes a hard link to it. Returns {name: sha256}."""
    files = {}
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return files
    for path in sorted(p for p in source.rglob("*") if p.is_file() and p.name != OWNER_MARKER):
        name = path.relative_to(source).as_posix()
        if only is not None and name not in only:
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            digest = _sha256(path)
            if previous and previous.get(name, (None,))[0] == digest:
                os.link(previous[name][1], destination)
            else:
                shutil.copy2(path, destination)
                digest = _sha256(destination)
        except FileNotFoundError:
            continue  # removed meanwhile by a request that failed and rolled back: no row names it
        files[name] = digest
    return files


def _linkable(folder):
    """{photo name: (sha256, path)} of an earlier backup, to link unchanged photos to."""
    if folder is None:
        return {}
    manifest = read_manifest(folder)
    return {name: (digest, Path(folder) / PHOTOS / name) for name, digest in manifest["photos"].items()
            if (Path(folder) / PHOTOS / name).is_file()}


def _copy_instance(instance_dir, target):
    """The instance's config and keys (the data cannot be checked or served without them)."""
    target.mkdir(parents=True, exist_ok=True)
    kept = []
    for name in INSTANCE_FILES:
        path = Path(instance_dir) / name
        if path.is_file():
            shutil.copy2(path, target / name)
            kept.append(name)
    return kept


def _private(folder):
    """The backup is the app user's only: folders 0700, files 0600 (hard links share their mode)."""
    os.chmod(folder, 0o700)
    for path in Path(folder).rglob("*"):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_backup(url, source, audit_key):
    """The monthly restore drill: restore the backup in source into a scratch database and photo folder,
    check every case (history, photo files, seals) and every photo against the manifest, count what is
    there, and drop the scratch copy. Returns {"counts": {...}, "problems": [AuditProblem]}."""
    source = Path(source)
    manifest = read_manifest(source)
    key = _backup_key(source) or audit_key
    with snapshot.scratch_database(url) as engine, tempfile.TemporaryDirectory() as photos:
        restore_backup(engine, photos, source)
        with Session(engine) as session:
            checked, failing, problems = audit.verify_all(session, photos, key)
            counts = {"cases": checked, "history_entries": session.scalar(select(func.count(CaseEvent.id))),
                      "visits": session.scalar(select(func.count(Visit.id))),
                      "users": session.scalar(select(func.count(User.id))),
                      "photos": session.scalar(select(func.count(Photo.id))),
                      "photo_files": len(manifest["photos"])}
            referenced = {name for row in session.execute(select(Photo.stored_name, Photo.thumb_name)) for name in row if name}
            missing = sorted(referenced - set(manifest["photos"]))
            counts["open_cases"] = session.scalar(select(func.count(Violation.id)).where(Violation.stage != CLOSED))
    return {"counts": counts, "problems": problems, "missing_photos": missing, "failing_cases": failing}


def _backup_key(source):
    """The audit key kept with the backup (the seals were made with it), if any."""
    path = Path(source) / INSTANCE / "audit_key"
    return path.read_text().strip() if path.is_file() else None


@dataclass(frozen=True)
class BackupAge:
    """The newest complete backup under the backup folder, as the office's home shows it."""

    configured: bool
    day: date | None = None
    age_days: int | None = None


def last_backup(root, today):
    """The newest complete nightly backup under `root` and its age in days (nothing known without a root)."""
    if not root:
        return BackupAge(configured=False)
    found = dated_backups(root)
    if not found:
        return BackupAge(configured=True)
    day = found[-1][0]
    return BackupAge(configured=True, day=day, age_days=(today - day).days)
