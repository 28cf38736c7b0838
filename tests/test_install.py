"""The production install command (scripts/install.sh) run for real in a scratch folder (--no-system:
no packages, users, systemctl or /etc), on the database of this pass: issue 21."""
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from .conftest import ON_POSTGIS
from .factories import jpeg_bytes

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


# The previous release: the last code whose newest migration was 0016 (the document register), before the
# case facts (0017) and the document settings (0018). Needs the repository's history (a clone without --depth).
PREVIOUS_RELEASE_COMMIT = "e7864f8976b7d85fc148b2155366735884b76246"
PREVIOUS_RELEASE = "c9d0e1f2a3b4"
RELEASE_PATHS = ("inspect_app", "migrations", "wsgi.py")


def _flask(prefix, *args, check=True):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([str(prefix / ".venv" / "bin" / "flask"), "--app", "wsgi", *args], cwd=prefix,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 or not check, done.stdout + done.stderr
    return done.stdout + done.stderr


def _put_code(prefix, commit):
    """The installation's code as the given commit has it (the ward's instance/ and backups untouched)."""
    present = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True)
    assert present.returncode == 0, f"the previous release {commit} is not in this clone: clone without --depth"
    for path in RELEASE_PATHS:
        target = prefix / path
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, *RELEASE_PATHS], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(prefix)], input=archive.stdout, check=True)
    subprocess.run([str(VENV / "bin" / "pybabel"), "compile", "-d", str(prefix / "inspect_app" / "translations")],
                   check=True, capture_output=True)


def _ward_counts(prefix):
    return _in_installation(prefix, (
        "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
        "with app.app_context():\n"
        "    for table in ('users', 'violations', 'case_events', 'case_anchors', 'photos', 'patrols', 'track_points',\n"
        "                  'visits', 'document_register'):\n"
        "        print(table, db.session.execute(text(f'SELECT count(*) FROM {table}')).scalar_one())\n"
        "    print(db.session.execute(text('SELECT code, owner_name, stage FROM violations ORDER BY code')).all())\n"))


def test_an_upgrade_from_the_previous_release_with_data_backs_up_migrates_and_can_roll_back(database, tmp_path):
    """The installation as the previous release left it (its code, its schema, the data its code wrote),
    upgraded by `make upgrade`'s script; then rolled back to that code and schema, the data intact."""
    prefix, backups = tmp_path / "srv" / "inspect", tmp_path / "backups"
    assert _install(prefix, database, "--backup-dir", str(backups)).returncode == 0
    _flask(prefix, "db", "downgrade", "base")
    _put_code(prefix, PREVIOUS_RELEASE_COMMIT)
    _flask(prefix, "db", "upgrade")
    assert PREVIOUS_RELEASE in _flask(prefix, "db", "current")
    _flask(prefix, "seed-demo")  # people, routes, cases with their histories and seals: the old code's own
    photo = tmp_path / "hien-truong.jpg"
    photo.write_bytes(jpeg_bytes(gps=(105.5975, 10.1775)))
    # A report with its photo through the old release's own web API, as a phone sent it.
    assert _in_installation(prefix, (
        "import re\nfrom wsgi import app\n"
        "client = app.test_client()\nclient.environ_base['wsgi.url_scheme'] = 'https'\n"
        "token = lambda page: re.search(r'name=.csrf.token.[^>]*(?:value|content)=.([^\"]+)', page).group(1)\n"
        "client.post('/login', data={'username': 'kiemtra', 'password': 'kiemtra-demo', "
        "'csrf_token': token(client.get('/login').get_data(as_text=True))})\n"
        f"answer = client.post('/api/violations', data={{'client_uuid': '7d1c2a4e-0000-4000-8000-000000000001', "
        f"'lon': '105.5975', 'lat': '10.1775', 'category': 'no_permit', 'confirm_new': '1', 'owner_name': 'Chủ cũ', "
        f"'photos': [open('{photo}', 'rb')]}}, headers={{'X-CSRFToken': token(client.get('/').get_data(as_text=True))}})\n"
        "print(answer.status_code, answer.get_data(as_text=True)[:300])\n")).startswith("201")
    assert "mọi hồ sơ đều nguyên vẹn" in _flask(prefix, "audit", "verify")
    before = _ward_counts(prefix)
    assert "violations 0" not in before and "case_anchors 0" not in before and "photos 0" not in before, before
    for stamp in ("20260101-010101", "20260201-010101", "20260301-010101", "20260401-010101", "20260501-010101"):
        (backups / f"before-upgrade-{stamp}").mkdir(parents=True)  # older upgrades' backups

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "upgrade.sh"), "--no-fetch", "--no-system", "--prefix", str(prefix),
                           "--domain", "10.0.0.5", "--database-url", database, "--venv", str(VENV),
                           "--backup-dir", str(backups)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    kept = sorted(p.name for p in backups.iterdir() if p.name.startswith("before-upgrade-"))
    assert len(kept) == 5 and kept[0] == "before-upgrade-20260201-010101", kept  # the oldest went
    assert (backups / kept[-1] / "backup.json").is_file()  # this upgrade's, made by the old code before anything changed
    # The new code on the old data: every history still verifies, nothing lost, the app ready.
    assert "mọi hồ sơ đều nguyên vẹn" in _flask(prefix, "audit", "verify")
    assert _ward_counts(prefix) == before
    assert _in_installation(prefix, "from wsgi import app\nprint(app.test_client().get('/healthz').status_code)").strip() == "200"
    if ON_POSTGIS:  # the previous release's database had PostgreSQL's own names: now the convention's (0020)
        names = _in_installation(prefix, (
            "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
            "with app.app_context():\n"
            "    expected = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.constraints\n"
            "                if type(c).__name__ in ('PrimaryKeyConstraint', 'UniqueConstraint', 'ForeignKeyConstraint')}\n"
            "    found = set(db.session.execute(text(\"SELECT rel.relname, con.conname FROM pg_constraint con \"\n"
            "        \"JOIN pg_class rel ON rel.oid = con.conrelid WHERE con.contype IN ('p', 'u', 'f') \"\n"
            "        \"AND rel.relname = ANY(:t)\"), {'t': [t.name for t in db.metadata.sorted_tables]}).all())\n"
            "    print(sorted(expected ^ found))\n"))
        assert names.strip() == "[]", names
    # An upgrade that stops half-way says how to roll back, with its own backup's name.
    failed = subprocess.run(["bash", str(ROOT / "scripts" / "upgrade.sh"), "--no-fetch", "--no-system", "--prefix", str(prefix),
                             "--domain", "10.0.0.5", "--database-url", database, "--venv", str(VENV),
                             "--backup-dir", str(backups), "--http-port", "80;"], capture_output=True, text=True, env=env,
                            timeout=600)
    assert failed.returncode != 0 and "db downgrade" in failed.stderr
    assert re.search(rf"restore {re.escape(str(backups))}/before-upgrade-\d{{8}}-\d{{6}}\n", failed.stderr), failed.stderr

    # Rollback as docs/DEPLOY.md says: the schema down with the new code, then the previous code again.
    _flask(prefix, "db", "downgrade", PREVIOUS_RELEASE)
    _put_code(prefix, PREVIOUS_RELEASE_COMMIT)
    assert PREVIOUS_RELEASE in _flask(prefix, "db", "current")
    assert "mọi hồ sơ đều nguyên vẹn" in _flask(prefix, "audit", "verify")
    assert _ward_counts(prefix) == before
