"""The production install command (scripts/install.sh) run for real in a scratch folder (--no-system:
no packages, users, systemctl or /etc), on the database of this pass: issue 21."""
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from .conftest import ON_POSTGIS

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent.parent


def _install(prefix, database, *extra):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(["bash", str(ROOT / "scripts" / "install.sh"), "--no-system", "--prefix", str(prefix),
                           "--domain", "10.0.0.5", "--database-url", database, "--venv", str(VENV), *extra],
                          capture_output=True, text=True, env=env, timeout=600)


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _in_installation(prefix, code):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([str(prefix / ".venv" / "bin" / "python"), "-c", code], cwd=prefix, capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_command_installs_migrates_without_demo_data_renders_units_and_certificates_and_runs_again(database, tmp_path):
    prefix, backups = tmp_path / "srv" / "inspect", tmp_path / "backups"
    done = _install(prefix, database, "--backup-dir", str(backups))
    assert done.returncode == 0, done.stdout + done.stderr

    config = prefix / "instance" / "config.py"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600 and stat.S_IMODE((prefix / "instance").stat().st_mode) == 0o700
    assert f'SQLALCHEMY_DATABASE_URI = "{database}"' in config.read_text()
    # Every command of the installation reads that file: the app is ready on the right database, and empty.
    health = json.loads(_in_installation(prefix, (
        "from wsgi import app; import json; r = app.test_client().get('/healthz'); "
        "print(json.dumps([r.status_code, r.get_json()]))")))
    assert health[0] == 200 and health[1]["database"] == ("postgis" if ON_POSTGIS else "spatialite"), health
    counts = _in_installation(prefix, (
        "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
        "with app.app_context():\n    print([db.session.execute(text(f'SELECT count(*) FROM {t}')).scalar_one() "
        "for t in ('users', 'violations', 'wards', 'routes')])"))
    assert counts.strip() == "[0, 0, 0, 0]"  # no demo ward, users or cases in a real installation

    rendered = prefix / "rendered"
    units = rendered / "systemd" / "system"
    for unit in units.iterdir():
        body = unit.read_text()
        assert not re.search(r"@[A-Z_]+@", body), unit.name  # every placeholder filled in
    # systemd's own reading of the rendered units (no systemd needs to run): no warning at all.
    checked = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(u) for u in units.iterdir())],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and not (checked.stdout + checked.stderr).strip(), checked.stdout + checked.stderr
    (command,) = [line.split("=", 1)[1] for line in (units / "inspect-backup.service").read_text().splitlines()
                  if line.startswith("ExecStart=")]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    ran = subprocess.run(command.split(), cwd=prefix, capture_output=True, text=True, env=env, timeout=300)
    assert ran.returncode == 0, ran.stdout + ran.stderr  # the timer's own command, as rendered
    assert len(list(backups.glob("2*"))) == 1

    tls = rendered / "inspect" / "tls"
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(tls / "ward-ca.crt"), str(tls / "server.crt")],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    san = subprocess.run(["openssl", "x509", "-in", str(tls / "server.crt"), "-noout", "-ext", "subjectAltName"],
                         capture_output=True, text=True).stdout
    assert "IP Address:10.0.0.5" in san
    assert stat.S_IMODE((tls / "ward-ca.key").stat().st_mode) == 0o600 and stat.S_IMODE((tls / "server.key").stat().st_mode) == 0o600
    site = (rendered / "nginx" / "sites-enabled" / "inspect.conf").read_text()
    plain, secure = site.split("listen 443", 1)
    assert "return 301 https://$host$request_uri" in plain  # the standard port: no port in the redirect
    assert f"location = /ward-ca.crt {{ alias {tls / 'ward-ca.crt'};" in plain  # fetched before the phone trusts HTTPS
    assert f"ssl_certificate {tls / 'server.crt'};" in secure

    # Again: nothing that exists is replaced (config, keys, certificates), the database stays migrated.
    before = {**_digests(prefix / "instance"), **{f"tls/{k}": v for k, v in _digests(tls).items()}}
    again = _install(prefix, database, "--backup-dir", str(backups))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "left as it is" in again.stdout
    assert {**_digests(prefix / "instance"), **{f"tls/{k}": v for k, v in _digests(tls).items()}} == before
    # The server moved to another address: its certificate and the phones' link follow, the rest stays.
    moved = _install(prefix, database, "--backup-dir", str(backups), "--domain", "10.0.0.6")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    san = subprocess.run(["openssl", "x509", "-in", str(tls / "server.crt"), "-noout", "-ext", "subjectAltName"],
                         capture_output=True, text=True).stdout
    assert "IP Address:10.0.0.6" in san and 'WARD_CA_URL = "http://10.0.0.6/ward-ca.crt"' in config.read_text()
    # The authority is limited to one address (nameConstraints): a new one, which the phones install again.
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(tls / "ward-ca.crt"), str(tls / "server.crt")],
                              capture_output=True, text=True)
    assert verified.returncode == 0 and "every phone must install it again" in moved.stdout, verified.stderr
    assert f'SQLALCHEMY_DATABASE_URI = "{database}"' in config.read_text()


def test_the_install_command_says_what_it_needs_and_takes_only_plain_values(tmp_path):
    done = subprocess.run(["bash", str(ROOT / "scripts" / "install.sh"), "--no-system", "--prefix", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "--domain" in done.stderr
    # Options end up in config.py, the nginx site, certificates and SQL: code or directives never get there.
    for option, value in (("--domain", 'x"; import os; os.system("id"); y="'), ("--domain", "a.vn; return 200"),
                          ("--http-port", "80;"), ("--database-url", "sqlite:///x' or '1")):
        done = _install(tmp_path / "p", "sqlite:////tmp/none.sqlite", option, value)
        assert done.returncode != 0 and option in done.stderr, (option, value, done.stderr)
        assert not (tmp_path / "p" / "instance" / "config.py").exists()


PREVIOUS_RELEASE = "c9d0e1f2a3b4"  # the schema of the release before this one (migration 0016)


def _flask(prefix, *args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([str(prefix / ".venv" / "bin" / "flask"), "--app", "wsgi", *args], cwd=prefix,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_an_upgrade_from_the_previous_release_with_data_backs_up_migrates_and_can_roll_back(database, tmp_path):
    prefix, backups = tmp_path / "srv" / "inspect", tmp_path / "backups"
    assert _install(prefix, database, "--backup-dir", str(backups)).returncode == 0
    # The ward as the previous release left it: its schema, a user and a case.
    _flask(prefix, "db", "downgrade", PREVIOUS_RELEASE)
    _in_installation(prefix, (
        "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
        "with app.app_context():\n"
        "    db.session.execute(text(\"INSERT INTO users (username, full_name, role, password_hash, active, created_at, "
        "must_change_password) VALUES ('kiemtra', 'Cũ', 'inspector', 'x', true, '2026-11-20 01:00:00', false)\"))\n"
        "    uid = db.session.execute(text(\"SELECT id FROM users\")).scalar_one()\n"
        "    db.session.execute(text(\"INSERT INTO violations (client_uuid, code, stage, detected_at, inspector_id, officer_id, "
        "outside_ward, address, khu_vuc, owner_name, owner_phone, category, description, created_at) VALUES "
        "('7d1c2a4e-0000-4000-8000-000000000001', 'TL-2026-0001', 'detected', '2026-11-20 01:00:00', :u, :u, false, "
        "'Số 1', '', 'Chủ cũ', '', 'other', '', '2026-11-20 01:00:00')\"), {'u': uid})\n"
        "    db.session.commit()\n"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "upgrade.sh"), "--no-fetch", "--no-system", "--prefix", str(prefix),
                           "--domain", "10.0.0.5", "--database-url", database, "--venv", str(VENV),
                           "--backup-dir", str(backups)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (before,) = [p for p in backups.iterdir() if p.name.startswith("before-upgrade-")]
    assert (before / "backup.json").is_file()  # taken before anything changed
    state = _in_installation(prefix, (
        "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
        "with app.app_context():\n"
        "    print(db.session.execute(text(\"SELECT owner_name, owner_id_number, plot_number FROM violations\")).one())\n"
        "print(app.test_client().get('/healthz').status_code)"))
    assert "('Chủ cũ', '', '')" in state and state.strip().endswith("200")
    # Rolling back the schema keeps the ward's data.
    _flask(prefix, "db", "downgrade", PREVIOUS_RELEASE)
    assert "Chủ cũ" in _in_installation(prefix, (
        "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
        "with app.app_context():\n    print(db.session.execute(text('SELECT owner_name FROM violations')).scalar_one())"))
