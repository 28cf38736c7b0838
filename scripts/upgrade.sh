#!/usr/bin/env bash
# Upgrade an installation made by scripts/install.sh, from this checkout (make upgrade):
#   1. a backup of the installation as it is (BACKUP_DIR/before-upgrade-<time>);
#   2. the new version: git pull --ff-only here (--no-fetch: the checkout as it is);
#   3. scripts/install.sh again with the same options: new code and dependencies, migrate, units;
#   4. a graceful reload of the app (systemctl reload: gunicorn replaces its workers, no request lost).
# Rollback (docs/DEPLOY.md): `flask --app wsgi db downgrade <previous head>` with the previous code, or
# `flask --app wsgi restore BACKUP_DIR/before-upgrade-<time>` (app stopped).
#
#   sudo scripts/upgrade.sh --domain kiemtra.thoilong.vn [the install options] [--no-fetch]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '==> %s\n' "$*"; }

prefix=/srv/inspect; system=1; fetch=1; backup_dir=""; user=inspect
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-fetch) fetch=0; shift ;;
    --prefix) prefix=$2; args+=("$1" "$2"); shift 2 ;;
    --backup-dir) backup_dir=$2; args+=("$1" "$2"); shift 2 ;;
    --user) user=$2; args+=("$1" "$2"); shift 2 ;;
    --no-system) system=0; args+=("$1"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
backup_dir=${backup_dir:-$([ "$system" = 1 ] && echo /var/backups/inspect || echo "$prefix/backups")}
as_app() { if [ "$system" = 1 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$backup_dir"
say "backup before the upgrade: $backup_dir/before-upgrade-$stamp"
(cd "$prefix" && unset DATABASE_URL && as_app .venv/bin/flask --app wsgi backup "$backup_dir/before-upgrade-$stamp")
before=$(cd "$prefix" && unset DATABASE_URL && as_app .venv/bin/flask --app wsgi db current 2>/dev/null | tail -1)

if [ "$fetch" = 1 ]; then
  say "fetching the new version"
  git -C "$here" pull --ff-only
fi
"$here/scripts/install.sh" "${args[@]}"

if [ "$system" = 1 ] && systemctl is-active --quiet inspect.service; then
  say "reloading the app gracefully"
  systemctl reload inspect.service
fi
say "upgraded (database was at ${before:-?}); to roll back: docs/DEPLOY.md, Upgrades"
