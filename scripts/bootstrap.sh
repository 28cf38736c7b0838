#!/usr/bin/env bash
# Sets up everything the app needs on a Debian or Ubuntu machine, installing only what
# is missing. Usage: scripts/bootstrap.sh run|test   (test also brings the browser).
# Safe to run again: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-run}
VENV=${VENV:-.venv}

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# --- 1. System packages (Debian names) -------------------------------------------------
# Chromium prints the weekly list and the dossier to PDF; LibreOffice turns the official Word documents into PDF
# (the same file the office opens in Word). Liberation 2 (metrics of Times New Roman) has the Vietnamese glyphs
# (Liberation 1 has not: the text fell back to DejaVu letter by letter).
need_debs=(libsqlite3-mod-spatialite chromium libreoffice-writer-nogui fonts-liberation fonts-liberation2 fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || need_debs+=(nodejs npm)
if [ "$purpose" = test ]; then
  # The production install's end-to-end test: nginx with HTTPS in front, a phone that trusts the ward's
  # certificate authority (certutil writes it into the browser's NSS store). GDAL's ogrinfo opens the GIS
  # exports as QGIS would (the app itself writes them with the GDAL inside pyogrio's wheel).
  need_debs+=(poppler-utils libnss3-tools gdal-bin)
  command -v nginx >/dev/null 2>&1 || need_debs+=(nginx-light)
fi
missing=()
for pkg in "${need_debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing system packages: ${missing[*]}"
    apt-get update -q >/dev/null
    # Without recommendations: LibreOffice would bring Java and the whole suite; Writer converts, nothing more.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing system packages: ${missing[*]}
Run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}
then run this command again."
  fi
fi

# --- 2. A Python that can load SQLite extensions (SpatiaLite) --------------------------
# Some builds (pyenv's, for one) have no sqlite3 extension loading. Prefer an interpreter
# that has it; otherwise fall back to pysqlite3-binary, which the app then picks up.
can_load_ext='import sqlite3, venv, sys; sqlite3.connect(":memory:").enable_load_extension; assert sys.version_info >= (3, 10)'
if [ ! -x "$VENV/bin/python" ]; then
  chosen=""
  if [ -n "${PYTHON:-}" ]; then
    chosen=$PYTHON  # asked for explicitly: use it, with the fallback below if it needs one
  else
    for cand in python3 /usr/bin/python3 python3.13 python3.12 python3.11 python3.10; do
      if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "$can_load_ext" 2>/dev/null; then
        chosen=$cand; break
      fi
    done
  fi
  if [ -z "$chosen" ]; then
    chosen=python3
  fi
  if ! "$chosen" -c "$can_load_ext" 2>/dev/null; then
    say "$chosen cannot load SQLite extensions; the app will use pysqlite3-binary"
  fi
  say "creating virtual environment $VENV with $chosen ($("$chosen" --version 2>&1))"
  "$chosen" -m venv "$VENV" || die "could not create a virtual environment; on Debian: apt-get install python3-venv"
fi
PY="$VENV/bin/python"

# --- 3. Pinned Python packages (only when the requirement files changed) ---------------
reqs=(requirements.txt)
[ "$purpose" = test ] && reqs=(requirements-dev.txt)
if ! "$PY" -c "$can_load_ext" 2>/dev/null; then
  reqs+=(requirements-sqlite-fallback.txt)
fi
stamp="$VENV/.installed-$purpose"
if [ ! -f "$stamp" ] || [ -n "$(find requirements*.txt -newer "$stamp" 2>/dev/null)" ]; then
  say "installing Python packages: ${reqs[*]}"
  "$PY" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  args=(); for r in "${reqs[@]}"; do args+=(-r "$r"); done
  "$PY" -m pip install -q --disable-pip-version-check "${args[@]}"
  touch "$stamp"
fi

# --- 4. Translations are compiled here, never committed as binaries --------------------
"$VENV/bin/pybabel" compile --statistics -d inspect_app/translations >/dev/null 2>&1 || "$VENV/bin/pybabel" compile -d inspect_app/translations
for po in inspect_app/translations/*/LC_MESSAGES/messages.po; do
  [ -f "${po%.po}.mo" ] || die "translation $po did not compile"
done

# --- 5. Browser libraries for the map (Leaflet plugins) from the npm registry ------------
# Installed from vendor/package-lock.json, served by inspect_app/vendor.py; never in git.
if [ ! -d vendor/node_modules/leaflet.heat ] || [ vendor/package-lock.json -nt vendor/node_modules/.package-lock.json ]; then
  say "installing the map's browser libraries (npm ci)"
  (cd vendor && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || die "npm ci failed in vendor/"
fi

# --- 5b. Developer tools for the browser code (ESLint), for tests only -------------------------------
# From tools/js/package-lock.json into tools/js/node_modules: never in vendor/ (which the app serves), never
# installed for `run` (production needs no linters).
if [ "$purpose" = test ]; then
  if [ ! -x tools/js/node_modules/.bin/eslint ] || [ tools/js/package-lock.json -nt tools/js/node_modules/.package-lock.json ]; then
    say "installing the browser code's linter (npm ci in tools/js)"
    (cd tools/js && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || die "npm ci failed in tools/js/"
  fi
fi

# --- 6. Instance folder (the ward's config, database and photos; never in git) ---------
mkdir -p instance/photos
say "set-up done ($purpose)"
