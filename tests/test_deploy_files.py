"""The production files in deploy/ (systemd units and timers, nginx, Caddy) and the README's recipe, as an
installation uses them (issue 21): units that can be enabled at boot and start after PostgreSQL, timers
whose commands exist and run as the timer runs them, HTTPS only with HSTS, an upload limit above the
app's, and no demo data in the real database."""
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"


def unit(name):
    """{section: [(key, value)]} of a systemd unit (keys may repeat, as ExecStart does)."""
    sections, current = {}, None
    for line in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, _, value = line.partition("=")
            current.append((key, value))
    return sections


def values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def test_the_app_unit_starts_at_boot_after_postgresql_as_its_own_user():
    app = unit("inspect.service")
    assert values(app, "Install", "WantedBy") == ["multi-user.target"]
    assert "postgresql.service" in " ".join(values(app, "Unit", "After"))
    assert values(app, "Service", "User") == ["@USER@"] and values(app, "Service", "UMask") == ["0077"]
    assert values(app, "Service", "ExecReload") == ["/bin/kill -HUP $MAINPID"]  # a graceful reload


@pytest.mark.parametrize("timer", sorted(p.name for p in UNITS.glob("*.timer")))
def test_every_timer_can_be_enabled_and_runs_commands_that_exist(app, runner, timer):
    assert values(unit(timer), "Install", "WantedBy") == ["timers.target"]
    service = unit(timer.replace(".timer", ".service"))
    assert "postgresql.service" in " ".join(values(service, "Unit", "After"))
    commands = values(service, "Service", "ExecStart")
    assert commands
    for command in commands:
        assert "%" not in command  # systemd and cron would cut or expand it
        words = shlex.split(command)
        assert words[:3] == ["@PREFIX@/.venv/bin/flask", "--app", "wsgi"]
        subcommand = [w for w in words[3:] if not w.startswith("-") and not w.startswith("@")][:2]
        result = runner.invoke(args=[*subcommand, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_the_backup_timers_command_run_as_the_timer_runs_it(app, tmp_path):
    """Not by hand: the unit's own ExecStart, in the installation's folder, as a separate process."""
    (command,) = values(unit("inspect-backup.service"), "Service", "ExecStart")
    backups = tmp_path / "backups"
    words = [w.replace("@PREFIX@", str(ROOT)).replace("@BACKUP_DIR@", str(backups)) for w in shlex.split(command)]
    if not Path(words[0]).exists():  # the venv's flask, where the set-up put it
        words[0] = str(Path(sys.executable).with_name("flask"))
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], PHOTO_DIR=app.config["PHOTO_DIR"])
    done = subprocess.run(words, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (night,) = list(backups.glob("2*"))
    manifest = json.loads((night / "backup.json").read_text())
    assert manifest["database_kind"] in ("sqlite", "postgresql")
    assert oct(os.stat(night).st_mode & 0o777) == "0o700"


def test_the_web_server_serves_only_https_with_hsts_and_an_upload_limit_above_the_apps(app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    nginx = (ROOT / "deploy" / "nginx" / "inspect.conf").read_text(encoding="utf-8")
    plain, secure = nginx.split("listen @HTTPS_PORT@", 1)
    assert "return 301 https://$host@HTTPS_PORT_SUFFIX@$request_uri" in plain and "proxy_pass" not in plain
    assert 'Strict-Transport-Security "max-age=31536000" always' in secure
    size = re.search(r"client_max_body_size (\d+)m;", secure).group(1)
    assert int(size) * 1024 * 1024 > limit
    caddy = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "Strict-Transport-Security" in caddy and int(re.search(r"max_size (\d+)MB", caddy).group(1)) * 1024 * 1024 > limit


def test_the_readmes_recipe_for_the_real_database_loads_no_demo_data():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## PostgreSQL with PostGIS", 1)[1].split("\n## ", 1)[0]
    real = section.split("**real**", 1)[1]
    commands = [line for line in real.splitlines() if line.startswith(("DATABASE_URL=", "sudo", ".venv", "make"))]
    assert commands and not any("make run" in line or "seed-demo" in line for line in commands)
    assert "make run" in section.split("**real**", 1)[0] and "inspect_try" in section  # trying: a throwaway database
