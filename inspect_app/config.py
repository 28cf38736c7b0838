"""Settings: defaults here, then instance/config.py, then the environment, then tests."""
import os
import secrets
from pathlib import Path


class Defaults:
    """Defaults that every deployment starts from; instance/config.py overrides them."""

    WARD_NAME = "Phường Thới Long"
    WARD_CODE_PREFIX = "TL"
    DEFAULT_CORRIDOR_M = 50
    KHU_VUC = ("Bắc Vàng", "Thới Xương 2", "Thới Mỹ")  # suggestions in the report form
    MIN_PASSWORD_LENGTH = 8

    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # PostgreSQL connections per app process (gunicorn threads share them); SQLite needs none.
    DB_POOL_SIZE = int(os.environ.get("INSPECT_DB_POOL_SIZE", 10))
    DB_MAX_OVERFLOW = int(os.environ.get("INSPECT_DB_MAX_OVERFLOW", 10))
    DB_BUSY_TIMEOUT_S = 30  # a write waits this long for another one (SQLite lock, PostgreSQL row lock), then 503
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form opened in the morning must still post in the afternoon

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # a whole request; photos are downscaled on the phone

    # Field work
    ACCURACY_WARNING_M = 50          # GPS fixes worse than this are flagged and left out of tracks
    NEARBY_RADIUS_M = 30             # open cases this close are shown before a new report
    OUTSIDE_WARD_MAX_M = 2000        # a report farther than this outside the ward boundary is refused
    PATROL_AUTO_END_HOURS = 12       # open patrols older than this are ended by the system
    TRACK_FUTURE_TOLERANCE_S = 300   # phone clocks run a little ahead
    MAX_PHOTO_BYTES = 12 * 1024 * 1024
    MAX_PHOTO_PIXELS = 40_000_000
    MAX_PHOTOS_PER_RECORD = 10
    PHOTO_FAR_M = 100                # a photo taken farther than this from the case is flagged on its page
    PHOTO_EARLY_HOURS = 24           # and one taken this long before the case was reported
    TRACK_SEND_INTERVAL_S = 10
    # A fix farther from the last good one than this speed allows is a GPS jump and is left out
    # (a motorbike in town stays well under 20 m/s = 72 km/h).
    TRACK_MAX_SPEED_MPS = 20.0
    # No good fix for this long, or the next one this far away: the track is split there, and the
    # stretch between is neither drawn as walked nor counted as covered.
    TRACK_GAP_S = 60
    TRACK_GAP_M = 250
    BUSY_RETRY_AFTER_S = 5           # Retry-After of a 503 when the database stayed locked past its wait
    OUTBOX_MAX_SERVER_ERRORS = 3     # 5xx answers in a row before an outbox item is set aside as "needs attention"

    # Deadlines: overrides of domain/cases/deadlines.py DEFAULT_RULES, e.g.
    # {"penalty_decision": {"amount": 10, "unit": "working_days", "citation": "NĐ …"}}
    DEADLINE_RULES = {}
    # The most each role may fine ({role: amount} or {role: (amount, citation)}); defaults and the
    # reason they are marked "to confirm" in domain/cases/signing.py.
    FINE_CAPS_VND = {}
    # "postgis" or "spatialite": the kind of database this installation uses (the installer writes it);
    # /healthz is not ready when the database is of another kind (e.g. a service without DATABASE_URL).
    EXPECTED_DATABASE = None
    # Office-network installations: the ward's certificate authority (scripts/install.sh --tls ward-ca)
    # and the plain-http address phones fetch it from; /ward-ca shows how to install it.
    WARD_CA_CERT = None
    WARD_CA_URL = None
    NEWS_DAYS = 14  # an inspector's pages list the chairman's answers and decisions of this many days
    STATS_CACHE_S = 300  # Thống kê's figures are computed again after this many seconds (the page says when)
    STATS_COVERAGE_WEEKS = 26  # Thống kê: patrol coverage of the last weeks (each merges every track of a week)
    NO_VISIT_DAYS = 14  # the chairman's home counts open cases nobody has visited for this many days
    IDLE_USER_DAYS = 30  # the office's home lists active accounts unused for this many days
    # The address people open the app at (scripts/install.sh sets it from --domain): links in e-mails.
    PUBLIC_URL = None
    # E-mail for the morning reminder (flask reminders send, the 07:00 timer): no MAIL_SERVER, no e-mail.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_SECURITY = "none"  # "starttls" (usually port 587) or "ssl" (port 465) for a server outside the office
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_FROM = "kiemtra@localhost"
    MAIL_TIMEOUT_S = 30
    MAIL_RETRY_DELAYS_S = (10, 60)  # a passing failure is tried again after these pauses, then recorded
    # Where the nightly backup writes (the timer's folder; scripts/install.sh sets it): the office's
    # home page shows the last backup's age, or says it cannot know.
    BACKUP_DIR = None
    WARD_DAYS_OFF = ()  # ISO dates the ward declares off, besides weekends and public holidays

    # Map tiles (the only thing the field pages fetch from outside the app)
    TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    TILE_ATTRIBUTION = "&copy; OpenStreetMap"

    # A session with no request for this long ends (a phone left in a car); the outbox then asks
    # the inspector to log in again and keeps what waits.
    SESSION_IDLE_HOURS = 12
    # Failed logins allowed per minute before the form refuses even the right password
    LOGIN_FAILURES_PER_USERNAME = 5
    LOGIN_FAILURES_PER_ADDRESS = 20
    # Behind nginx on the same machine: take the phone's address from X-Forwarded-For (one proxy)
    BEHIND_PROXY = False  # INSPECT_BEHIND_PROXY=1 in the environment

    # The weekly list's PDF is printed by headless Chromium; empty: the first of chromium,
    # chromium-browser, google-chrome on PATH.
    CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "")
    # The official documents' PDFs are made from their Word files by LibreOffice; empty: soffice on PATH.
    LIBREOFFICE_PATH = os.environ.get("LIBREOFFICE_PATH", "")
    # The case file (dossier): photos printed at this resolution, this wide on the page.
    DOSSIER_PHOTO_DPI = 150
    DOSSIER_PHOTO_WIDTH_MM = 80


def _env_flag(name):
    """True when the environment variable is set to a yes-like value."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url):
    """Accept the `postgres://` spelling that some hosts hand out."""
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://"):]
    return url


def load_config(app, test_config=None):
    """Fill app.config from defaults, instance/config.py, the environment and test_config."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)

    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("PHOTO_DIR"):
        app.config["PHOTO_DIR"] = os.environ["PHOTO_DIR"]  # photos on another disk, or a load test's folder
    if _env_flag("INSPECT_BEHIND_PROXY"):
        app.config["BEHIND_PROXY"] = True
    if _env_flag("SESSION_COOKIE_SECURE"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    if test_config:
        app.config.update(test_config)

    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", "sqlite:///" + str(Path(app.instance_path) / "inspect.sqlite")
    )
    app.config.setdefault("PHOTO_DIR", str(Path(app.instance_path) / "photos"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    # Keys the case seals (domain/cases/audit_anchors.py); kept out of the database on purpose. Every app
    # server of one database needs the same file (docs/DEPLOY.md), and it goes with the backups' key.
    app.config["AUDIT_KEY"] = os.environ.get("AUDIT_KEY") or app.config.get("AUDIT_KEY") or \
        _instance_secret(Path(app.instance_path), "audit_key")


def _instance_secret(instance_dir, name="secret_key"):
    """Read one of the instance's secrets, creating it (readable by the owner only) the first time."""
    path = instance_dir / name
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
