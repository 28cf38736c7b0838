"""Command-line commands. Each parses its arguments, calls the domain, commits, reports."""
from datetime import UTC, date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext

from ..documents import case_file
from ..domain.accounts import accounts
from ..domain.accounts.roles import ROLES
from ..domain.cases import audit, audit_anchors
from ..domain.documents import issued
from ..domain.errors import N_, DomainError, InvalidInput
from ..domain.field import field_reports, patrols
from ..domain.field.photos import PhotoFiles
from ..domain.geo import geography
from ..domain.geo.geo_import import parse_geo_file
from ..domain.ward_time import local_today
from ..extensions import db
from ..i18n import translate_error
from ..rules import field_rules, lifecycle_context, patrol_rules
from . import backups, demo, reminder_mail, reminders
from .mailer import MailSettings

users_cli = AppGroup("users", help="Manage user accounts.")
geo_cli = AppGroup("geo", help="Import the ward boundary and patrol routes.")
patrols_cli = AppGroup("patrols", help="Patrol maintenance.")
audit_cli = AppGroup("audit", help="Check that the cases' histories are intact.")
photos_cli = AppGroup("photos", help="Photo folder maintenance.")
cases_cli = AppGroup("cases", help="Case files.")
reminders_cli = AppGroup("reminders", help="The morning reminders by e-mail.")


def _fail(error):
    db.session.rollback()
    raise click.ClickException(translate_error(error))


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in ROLES]), required=True)
@click.option("--full-name", default="", help="Name shown in the app and on documents.")
@click.option("--password", default=None, help="Prompted for (hidden) when not given.")
def create_user(username, role, full_name, password):
    """Create a user account."""
    if password is None:
        password = click.prompt(gettext("Password"), hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            db.session, username, role, password, full_name=full_name,
            min_password_length=current_app.config["MIN_PASSWORD_LENGTH"],
        )
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(gettext("Created user %(name)s (%(role)s).", name=user.username, role=user.role))


@users_cli.command("list")
def list_users():
    """List user accounts."""
    for user in accounts.list_users(db.session):
        state = "active" if user.active else "INACTIVE"
        click.echo(f"{user.username:<20} {user.role:<10} {state:<8} {user.full_name}")


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_user(username):
    """Stop a user from logging in (their records are kept)."""
    try:
        user = accounts.deactivate_user(db.session, username)
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(gettext("User %(name)s can no longer log in.", name=user.username))


@geo_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--boundary", "boundary_name", default=None, help="Which boundary to use when the file has several.")
@click.option("--code", "route_code", default=None, help="Route code for a GPX file with one track.")
@click.option("--name", "route_name", default=None, help="Route name for a GPX file.")
def import_geo(path, boundary_name, route_code, route_name):
    """Load a ward boundary or routes from a GeoJSON or GPX file (routes replaced by code)."""
    config = current_app.config
    try:
        parsed = parse_geo_file(path, route_code=route_code, route_name=route_name)
        result = geography.import_geography(
            db.session, parsed, config["WARD_NAME"], config["WARD_CODE_PREFIX"],
            boundary_name=boundary_name, default_corridor_m=config["DEFAULT_CORRIDOR_M"],
        )
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    if result.boundary:
        click.echo(gettext("Ward boundary set: %(name)s", name=result.boundary))
    for code in result.routes_created:
        click.echo(gettext("Route added: %(code)s", code=code))
    for code in result.routes_updated:
        click.echo(gettext("Route replaced: %(code)s", code=code))
    for item in result.ignored:
        click.echo(gettext("Left out: %(item)s", item=item))


@patrols_cli.command("end-stale")
def end_stale_patrols():
    """End patrols left open longer than PATROL_AUTO_END_HOURS (run it from cron every hour)."""
    ended = patrols.end_stale_patrols(db.session, patrol_rules(current_app.config))
    db.session.commit()
    click.echo(gettext("Patrols ended automatically: %(n)s", n=len(ended)))


@patrols_cli.command("retrack")
def retrack_patrols():
    """Compute the tracks of ended patrols again from their points (after the gap or jump rules changed)."""
    changed = patrols.retrack_ended(db.session, patrol_rules(current_app.config))
    db.session.commit()
    click.echo(gettext("Tracks computed again: %(n)s", n=changed))


@photos_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="Only list the files.")
@click.option("--older-than-minutes", default=60, show_default=True, type=click.IntRange(min=10))
def sweep_photos(dry_run, older_than_minutes):
    """Remove photo files no record refers to (left by a request killed mid-upload), older than an hour."""
    from datetime import datetime, timedelta

    from ..domain.field.photos import orphan_files

    orphans = orphan_files(db.session, current_app.config["PHOTO_DIR"], timedelta(minutes=older_than_minutes),
                           datetime.now(UTC))
    for path in orphans:
        click.echo(str(path))
        if not dry_run:
            path.unlink(missing_ok=True)
    click.echo(gettext("Photo files no record refers to: %(n)s (%(what)s).", n=len(orphans),
                       what=gettext("listed only") if dry_run else gettext("removed")))


@audit_cli.command("verify")
def verify_audit():
    """Check every case: its history, its photo files, its row against its history and its last seal."""
    checked, failing, problems = audit.verify_all(db.session, current_app.config["PHOTO_DIR"],
                                                  current_app.config["AUDIT_KEY"])
    kinds = {
        "order": gettext("order or link to the previous entry"), "content": gettext("content"),
        "photo": gettext("photo file"), "evidence_photo": gettext("photo file of the report or a visit"),
        "stage": gettext("stage differs from its history"), "deadline": gettext("deadline differs from its history"),
        "outcome": gettext("outcome differs from its history"),
        "officer": gettext("officer in charge differs from its history"),
        "position": gettext("position differs from its history"),
        "fact": gettext("a fact of the case (owner, plot, works, permit) differs from its history"),
        "unsealed": gettext("no seal: the case was never sealed, or its seals were deleted"),
        "seal": gettext("a seal was altered, removed or forged (or instance/audit_key is not the key that made it)"),
        "history": gettext("its history was shortened or rewritten since the last seal (entries)"),
        "row": gettext("changed outside the app since the last seal"),
    }
    for problem in problems:
        where = gettext("Case %(code)s, entry #%(seq)s", code=problem.case_code, seq=problem.seq) \
            if problem.seq is not None else gettext("Case %(code)s", code=problem.case_code)
        click.echo(f"{where}: {kinds[problem.what]}" + (f" ({problem.detail})" if problem.detail else ""))
    if problems:
        raise click.ClickException(gettext("%(n)s of %(total)s cases failed the check.", n=failing, total=checked))
    click.echo(gettext("%(n)s cases checked: every history is intact.", n=checked))


@audit_cli.command("seal-unsealed")
def seal_unsealed():
    """Seal the cases that have no seal yet (once, after upgrading a ward that has cases)."""
    sealed = audit_anchors.seal_unsealed(db.session, current_app.config["AUDIT_KEY"])
    db.session.commit()
    click.echo(gettext("%(n)s cases sealed.", n=sealed))


@audit_cli.command("fingerprint")
@click.option("--week", default=None, help="ISO week, e.g. 2026-W48: the histories at the end of that week.")
@click.option("--until", "until_text", default=None,
              help="The exact moment printed on a weekly list (ISO 8601 with zone), e.g. one printed mid-week.")
def fingerprint(week, until_text):
    """The fingerprint of every case's history at a moment (compare it with the one on a signed list)."""
    from datetime import datetime

    from ..domain.cases import weekly_list
    from ..domain.inputs import parse_client_time

    try:
        if until_text:
            until = parse_client_time(until_text)
        else:
            chosen = weekly_list.parse_week(week) if week else weekly_list.week_of(lifecycle_context(current_app.config).today)
            until = min(chosen.ends_at, datetime.now(UTC))
    except DomainError as exc:
        _fail(exc)
    text, cases = audit_anchors.chain_fingerprint(db.session, until)
    click.echo(f"{text}  ({cases})")


@reminders_cli.command("send")
@click.option("--date", "day", default=None, help="The day to remind of (YYYY-MM-DD; default: today in the ward).")
@click.option("--any-day", is_flag=True, help="Send on a weekend or holiday too (by default only on working days).")
def reminders_send(day, any_day):
    """E-mail each user who wants it what is overdue and due in the next 2 working days (the 07:00 timer).
    A user already reminded today is skipped; a failure is printed, recorded, and sent by the next run."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise click.ClickException(gettext("No MAIL_SERVER in instance/config.py: no reminder can be sent."))
    try:
        reminder_mail.public_url(config)
        today = date.fromisoformat(day) if day else local_today()
    except DomainError as exc:
        _fail(exc)
    except ValueError:
        raise click.ClickException(gettext("Give the date as YYYY-MM-DD.")) from None
    context = lifecycle_context(config, geography.get_ward(db.session), today=today)
    if not any_day and not context.calendar.is_working_day(today):
        click.echo(gettext("%(day)s is not a working day: no reminder is sent.", day=today.isoformat()))
        return
    try:
        settings = MailSettings.from_config(config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    report = reminders.send_reminders(db.session, settings, context,
                                      lambda digest: reminder_mail.digest_message(digest, settings.sender))
    click.echo(gettext("Reminders of %(day)s: %(sent)s sent, %(already)s already sent, %(empty)s with nothing to say, "
                       "%(failed)s failed.", day=today.isoformat(), sent=len(report.sent),
                       already=len(report.already_sent), empty=len(report.nothing_to_say), failed=len(report.failed)))
    for username, reason in report.failed:
        click.echo(f"  {username}: {reason}", err=True)
    if report.failed:
        raise click.ClickException(gettext("Some reminders were not sent: run the command again later."))


@cases_cli.command("dossier")
@click.argument("code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def case_dossier(code, out):
    """Write the case file of case CODE (TL-2026-0042) as a ZIP to OUT: its PDF, documents, original photos,
    GeoJSON and manifest (the same file as the case page's download; logged as made on the command line)."""
    try:
        case = field_reports.get_violation_by_code(db.session, code.strip())
        dossier = case_file.build(case)
        parts = case_file.zip_parts(dossier)
        content = case_file.dossier_zip(dossier, case_file.dossier_pdf(dossier, gettext("command line")), parts)
        issued.log_issued(db.session, kind="dossier", file_format="zip", content=content, user_id=None,
                          violation_id=case.id)
        Path(out).write_bytes(content)
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(gettext("Case file of %(code)s written to %(path)s (%(kb)s KB).", code=code, path=out,
                       kb=len(content) // 1024))


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when a ward is already set up.")
def seed_demo(if_empty):
    """Load the demo ward (boundary, three routes) and one demo user per role."""
    config = current_app.config
    if if_empty and geography.get_ward(db.session) is not None:
        click.echo(gettext("A ward is already set up; demo data not loaded."))
        return
    try:
        report = demo.seed_demo(
            db.session, config["WARD_NAME"], config["WARD_CODE_PREFIX"], config["DEFAULT_CORRIDOR_M"]
        )
        ward = geography.get_ward(db.session)
        files = PhotoFiles(config["PHOTO_DIR"])
        cases = demo.seed_demo_cases(db.session, lifecycle_context(config, ward), field_rules(config, ward), files)
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    added = report.ward_created or report.routes_created or report.users_created or cases
    if cases:
        click.echo(gettext("Demo cases: %(codes)s", codes=", ".join(cases)))
    click.echo(gettext("Demo data loaded.") if added else gettext("Demo data already present; nothing changed."))
    click.echo(gettext("Demo logins (for trying the app only; deactivate them before real use):"))
    for username, role, password in report.logins:
        click.echo(f"  {role:<10} {username} / {password}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(file_okay=False))
def backup(path):
    """Copy the database (consistently, while the app runs) and the photos into the new folder PATH."""
    try:
        manifest = backups.create_backup(db.engine, current_app.config["PHOTO_DIR"], path)
    except DomainError as exc:
        _fail(exc)
    click.echo(gettext("Backup written to %(path)s: the database and %(n)s photo files.", path=path, n=len(manifest["photos"])))


@click.command("backup-nightly")
@with_appcontext
@click.argument("root", type=click.Path(file_okay=False))
@click.option("--keep-daily", default=14, show_default=True, help="How many daily backups to keep.")
@click.option("--keep-weekly", default=8, show_default=True, help="How many weeks to keep one backup of.")
@click.option("--date", "day", default=None, help="The backup's date (YYYY-MM-DD; default: today in the ward).")
def backup_nightly(root, keep_daily, keep_weekly, day):
    """The timer's backup: ROOT/<date>, photos unchanged since the last one linked, old ones pruned."""
    try:
        today = date.fromisoformat(day) if day else local_today()
        folder, manifest, pruned = backups.nightly_backup(
            db.engine, current_app.config["PHOTO_DIR"], root, today, instance_dir=current_app.instance_path,
            keep_daily=keep_daily, keep_weekly=keep_weekly)
    except ValueError:
        _fail(InvalidInput(N_("Enter a date as YYYY-MM-DD.")))
    except DomainError as exc:
        _fail(exc)
    if manifest is None:
        click.echo(gettext("Today's backup is already in %(path)s; nothing done.", path=str(folder)))
        return
    click.echo(gettext("Backup written to %(path)s: the database and %(n)s photo files.", path=str(folder),
                       n=len(manifest["photos"])))
    for old in pruned:
        click.echo(gettext("Removed the old backup %(path)s.", path=str(old)))


@click.command("backup-verify")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def backup_verify(path):
    """The restore drill: restore PATH into a scratch database and folder, check it, drop the copy."""
    try:
        report = backups.verify_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path, current_app.config["AUDIT_KEY"])
    except DomainError as exc:
        _fail(exc)
    counts = report["counts"]
    click.echo(gettext("Restored into a scratch copy: %(cases)s cases (%(open)s open), %(entries)s history entries, "
                       "%(visits)s visits, %(users)s users, %(photos)s photos (%(files)s files).",
                       cases=counts["cases"], open=counts["open_cases"], entries=counts["history_entries"],
                       visits=counts["visits"], users=counts["users"], photos=counts["photos"],
                       files=counts["photo_files"]))
    for name in report["missing_photos"]:
        click.echo(gettext("Photo file missing from the backup: %(name)s", name=name))
    for problem in report["problems"]:
        click.echo(gettext("Case %(code)s: %(what)s", code=problem.case_code, what=problem.what)
                   + (f" ({problem.detail})" if problem.detail else ""))
    if report["problems"] or report["missing_photos"]:
        raise SystemExit(1)
    click.echo(gettext("The backup restores and every case proves itself; the scratch copy was dropped."))


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--keys", is_flag=True, help="Also put back the backup's secret and audit keys (a rebuilt machine).")
def restore(path, yes, keys):
    """Replace the database and the photos with the backup in PATH (stop the app first)."""
    if not yes:
        click.confirm(gettext("Everything stored since the backup will be lost. Restore?"), abort=True)
    db.session.remove()
    try:
        manifest = backups.restore_backup(db.engine, current_app.config["PHOTO_DIR"], path)
        restored = backups.restore_keys(path, current_app.instance_path) if keys else []
    except DomainError as exc:
        _fail(exc)
    click.echo(gettext("Restored the backup made at %(when)s.", when=manifest["made_at"]))
    if restored:
        click.echo(gettext("Keys put back: %(names)s. Restart the app.", names=", ".join(restored)))


def init_app(app):
    """Register the commands."""
    app.cli.add_command(users_cli)
    app.cli.add_command(geo_cli)
    app.cli.add_command(patrols_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(photos_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(backup)
    app.cli.add_command(backup_nightly)
    app.cli.add_command(backup_verify)
    app.cli.add_command(restore)
