# Copy to instance/config.py and adjust. Environment variables (DATABASE_URL, SECRET_KEY,
# SESSION_COOKIE_SECURE) override what is set here.

# The ward's name as printed on pages and documents, and the case code prefix (TL-2026-0042).
WARD_NAME = "Phường Thới Long"
WARD_CODE_PREFIX = "TL"

# Corridor width, in metres, given to routes imported without one.
DEFAULT_CORRIDOR_M = 50

# PostgreSQL with PostGIS instead of the embedded SpatiaLite file:
# SQLALCHEMY_DATABASE_URI = "postgresql://inspect@127.0.0.1:5432/inspect"

# Deadlines. Defaults and citations are in inspect_app/domain/cases/deadlines.py; a new decree is
# entered here, e.g. a penalty decision due in 10 working days instead of 7:
# DEADLINE_RULES = {"penalty_decision": {"amount": 10, "unit": "working_days", "citation": "NĐ …/2027 Điều …"}}
# Days the ward declares off (besides weekends and public holidays):
# WARD_DAYS_OFF = ("2027-02-12",)

# How long a write waits for another one that holds the database (SQLite's write lock, a
# PostgreSQL row lock) before the answer is 503 with Retry-After; the phone then tries again.
# DB_BUSY_TIMEOUT_S = 30
# How many 5xx answers in a row set an outbox item aside as "needs attention" on the phone.
# OUTBOX_MAX_SERVER_ERRORS = 3
# The key that seals every case (flask audit verify) lives in instance/audit_key, made on first
# start; AUDIT_KEY in the environment replaces it. Keep a copy apart from the backups.

# Field work. A GPS fix implying more than this speed since the last good one is a jump, left out:
# TRACK_MAX_SPEED_MPS = 20.0
# No good fix for this long, or the next one this far away, splits the track (a gap, never walked):
# TRACK_GAP_S = 60
# TRACK_GAP_M = 250
# (after changing these, `flask patrols retrack` computes the ended patrols' tracks again)
# A report farther than this outside the ward boundary is refused (nearer ones are confirmed):
# OUTSIDE_WARD_MAX_M = 2000
# On the case page, a photo taken farther than this from the case, or this long before the report,
# is flagged:
# PHOTO_FAR_M = 100
# PHOTO_EARLY_HOURS = 24
