#!/usr/bin/env bash
# Upgrade an installation made by scripts/install.sh, from this checkout (make upgrade):
#   1. a backup of the installation as it is (BACKUP_DIR/before-upgrade-<time>);
#   2. the new version: git pull --ff-only here (--no-fetch: the checkout as it is);
#   3. the app stopped (nginx shows its "being upgraded" page; phones keep their reports in the outbox
#      and send them after): old code never runs on a half-migrated database, nor new templates on old code;
#   4. scripts/install.sh again with the same options: new code and dependencies, migrate, units;
#   5. the app started again; the before-upgrade backups beyond the newest --keep-upgrade-backups (5) go.
# If a step fails, the app stays stopped and the rollback is printed (docs/DEPLOY.md, Upgrades):
# `flask --app wsgi db downgrade <previous head>` with the previous code, or
# `flask --app wsgi restore BACKUP_DIR/before-upgrade-<time>`.
#
#   sudo scripts/upgrade.sh --domain kiemtra.thoilong.vn [the install options] [--no-fetch] [--keep-upgrade-backups N]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '==> %s\n' "$*"; }

prefix=/srv/inspect; system=1; fetch=1; backup_dir=""; user=inspect; keep=5
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-fetch) fetch=0; shift ;;
    --keep-upgrade-backups) keep=$2; shift 2 ;;
    --prefix) prefix=$2; args+=("$1" "$2"); shift 2 ;;
    --backup-dir) backup_dir=$2; args+=("$1" "$2"); shift 2 ;;
    --user) user=$2; args+=("$1" "$2"); shift 2 ;;
    --no-system) system=0; args+=("$1"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || { echo "ERROR: --keep-upgrade-backups: a number from 1" >&2; exit 1; }
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
running=0
if [ "$system" = 1 ] && systemctl is-active --quiet inspect.service; then
  running=1
  say "stopping the app for the upgrade (nginx answers with its 'being upgraded' page)"
  systemctl stop inspect.service
fi
if ! "$here/scripts/install.sh" "${args[@]}"; then
  printf 'ERROR: the upgrade stopped half-way; the app is %s.\n' "$([ "$running" = 1 ] && echo "stopped" || echo "as it was")" >&2
  printf 'Roll back (docs/DEPLOY.md, Upgrades): the previous code, then\n  flask --app wsgi db downgrade %s\nor\n  flask --app wsgi restore %s\n' \
    "${before:-<previous head>}" "$backup_dir/before-upgrade-$stamp" >&2
  exit 1
fi
# install.sh started the app (systemctl enable --now); when it was running already, this is a no-op.
[ "$running" = 1 ] && systemctl start inspect.service

# Keep the newest before-upgrade backups only (each is a whole copy, photos included).
find "$backup_dir" -maxdepth 1 -name 'before-upgrade-*' -type d | sort | head -n "-$keep" | while IFS= read -r old; do
  say "removing the old $old"; rm -rf -- "$old"
done
say "upgraded (database was at ${before:-?}); to roll back: docs/DEPLOY.md, Upgrades"
