"""What the benchmarks share: timing a call, and a fresh app on the database of DATABASE_URL (a SQLite
file in a temporary folder when unset) migrated to head with the demo ward."""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


def median_of(fn, repeat, scale=1.0):
    """(median duration × scale, last result) of `repeat` calls: scale=1000 gives milliseconds."""
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * scale)
    return statistics.median(samples), result


def fresh_app():
    """(app, folder): a new app on a fresh database with the demo ward, its photos in the folder."""
    from flask_migrate import upgrade

    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.operations import demo

    folder = Path(tempfile.mkdtemp())
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "PHOTO_DIR": str(folder / "photos")})
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session, "Phường Thới Long", "TL")
        db.session.commit()
    return app, folder
