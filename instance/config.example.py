# Copy to instance/config.py and adjust. Environment variables (DATABASE_URL, SECRET_KEY,
# SESSION_COOKIE_SECURE) override what is set here.

# The ward's name as printed on pages and documents, and the case code prefix (TL-2026-0042).
WARD_NAME = "Phường Thới Long"
WARD_CODE_PREFIX = "TL"

# Corridor width, in metres, given to routes imported without one.
DEFAULT_CORRIDOR_M = 50

# PostgreSQL with PostGIS instead of the embedded SpatiaLite file:
# SQLALCHEMY_DATABASE_URI = "postgresql://inspect@127.0.0.1:5432/inspect"
