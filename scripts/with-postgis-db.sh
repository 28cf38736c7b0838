#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostGIS database, which it
# creates (installing postgresql-15-postgis-3 when missing) and always drops afterwards.
# Fails, never skips, when PostGIS cannot be set up.
set -euo pipefail
cd "$(dirname "$0")/.."
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}; PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

if ! pg_isready -q 2>/dev/null; then
  # Machines of this workplace start PostgreSQL before a session; start it if it stopped.
  if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  pg_isready -q || die "PostgreSQL is not answering on $PGHOST:$PGPORT"
fi

if ! psql -XtAc "select 1 from pg_available_extensions where name='postgis'" postgres | grep -q 1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    major=$(psql -XtAc "show server_version_num" postgres | cut -c1-2)
    echo "==> installing postgresql-$major-postgis-3"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$major-postgis-3" >/dev/null
  fi
  psql -XtAc "select 1 from pg_available_extensions where name='postgis'" postgres | grep -q 1 \
    || die "the PostGIS extension is not available to PostgreSQL"
fi

db="inspect_test_$$_$(date +%s)"
cleanup() { psql -Xq -c "drop database if exists $db with (force)" postgres >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql -Xq -c "create database $db" postgres
psql -Xq -c "create extension postgis" "$db"
export DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$db"
echo "==> PostGIS $(psql -XtAc 'select postgis_lib_version()' "$db") in throwaway database $db"
"$@"
