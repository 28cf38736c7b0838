"""Downloads of the official documents and the case file, blank forms, and the office's templates.

Every logged-in user may see every case (inspectors share routes), so every one of them may download
its documents and its file; each download is logged (domain/documents/issued.py) with the template's
version and the file's SHA-256. Only the administrator changes templates.
"""
import io
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user

from ..auth.access import login_required, role_required
from ..domain.accounts import admin_log
from ..domain.accounts.roles import ADMIN
from ..domain.documents import issued, word
from ..domain.documents.forms import FORMS, PLACEHOLDERS, form_of
from ..domain.errors import N_, DomainError, NotFound
from ..domain.field import field_reports
from ..errors import domain_status
from ..extensions import db
from ..i18n import translate_error
from ..reports import pdf
from . import bp, case_file, filling

PDF = "application/pdf"


def _send(content, name, mimetype):
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _busy(exc):
    response = current_app.make_response((render_template("errors/error.html", status=429,
                                                          message=translate_error(exc)), 429))
    response.headers["Retry-After"] = str(current_app.config["BUSY_RETRY_AFTER_S"])
    return response


def _unavailable(exc):
    return render_template("errors/error.html", status=503, message=translate_error(exc)), 503


def _to_pdf(docx):
    """The Word file as PDF (LibreOffice), one rendering at a time per user and per process."""
    with pdf.GATE.admit(Path(current_app.instance_path) / "locks", current_user.id):
        db.session.rollback()  # LibreOffice takes a second: hold no database transaction meanwhile
        return pdf.docx_to_pdf(docx, pdf.find_office(current_app.config.get("LIBREOFFICE_PATH")))


@bp.route("/cases/<int:violation_id>/documents/<int:event_id>.<any(docx, pdf):file_format>")
@login_required
def case_document(violation_id, event_id, file_format):
    """A step's official document filled from the case. When facts it needs are missing, a page lists
    them; the officer may still print it with dots to fill by hand (?blanks=1)."""
    case = field_reports.get_violation(db.session, violation_id)
    event = filling.step_of(case, event_id)
    content, template, filled = filling.step_docx(case, event)
    with_blanks = request.args.get("blanks") == "1"
    if filled.missing and not with_blanks:
        return render_template("documents/missing.html", case=case, event=event, form=filled.form,
                               missing=filled.missing_labels(gettext), file_format=file_format), 409
    return _hand_out(content, file_format, f"{case.code}-{event.seq:03d}-{event.document_kind}",
                     kind=event.document_kind, violation_id=case.id, event_id=event_id,
                     template_version=template.version, with_blanks=bool(filled.missing))


def _hand_out(docx, file_format, stem, **logged):
    """Send a filled Word file, or its PDF, and log it (kind, case, step, template version, blanks)."""
    try:
        content = _to_pdf(docx) if file_format == "pdf" else docx
    except pdf.PdfBusy as exc:
        return _busy(exc)
    except pdf.PdfUnavailable as exc:
        return _unavailable(exc)
    issued.log_issued(db.session, file_format=file_format, content=content, user_id=current_user.id, **logged)
    db.session.commit()
    return _send(content, f"{stem}.{file_format}", PDF if file_format == "pdf" else word.DOCX_MIMETYPE)


@bp.route("/documents")
@login_required
def index():
    """Blank forms to print for the field; for the administrator, the templates in use and their uploads."""
    return _index_page()


@bp.route("/documents/blank/<kind>.<any(docx, pdf):file_format>")
@login_required
def blank(kind, file_format):
    """A blank form (no case): the ward's header and dots, for writing by hand."""
    content, template = filling.blank_docx(kind)
    return _hand_out(content, file_format, f"mau-trang-{kind}", kind=kind, template_version=template.version,
                     with_blanks=True)


@bp.route("/admin/documents/<kind>/template.docx")
@role_required(ADMIN)
def template_file(kind):
    """The template in use for this kind, to edit in Word."""
    if form_of(kind) is None:
        raise NotFound(N_("This document does not exist."))
    template = word.current_template(db.session, kind)
    return _send(template.content, f"mau-{kind}-{template.short_version}.docx", word.DOCX_MIMETYPE)


@bp.route("/admin/documents/<kind>", methods=["POST"])
@role_required(ADMIN)
def change_template(kind):
    """Upload a template (checked with a sample case; refused with what is wrong), or go back to the default."""
    try:
        if request.form.get("use_default") == "1":
            retired = word.restore_default(db.session, kind)
            admin_log.log_admin_action(db.session, current_user, "document_template.default", kind, str(retired))
            message = gettext("The default template is in use again.")
        else:
            upload = request.files.get("template")
            data = upload.read(word.MAX_UPLOAD_BYTES + 1) if upload else b""
            stored = word.store_template(db.session, kind, upload.filename if upload else "", data, current_user)
            admin_log.log_admin_action(db.session, current_user, "document_template.upload", kind,
                                       f"{stored.filename} {stored.version[:12]}")
            message = gettext("The new template is in use (version %(version)s).", version=stored.version[:12])
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(translate_error(exc), "error")
        return _index_page(), domain_status(exc)
    flash(message, "info")
    return redirect(url_for("documents.index"))


def _index_page():
    templates = {kind: word.current_template(db.session, kind) for kind in FORMS}
    return render_template("documents/index.html", forms=FORMS, templates=templates, placeholders=PLACEHOLDERS,
                           is_admin=current_user.role == ADMIN)


@bp.route("/cases/<int:violation_id>/dossier.<any(pdf, zip):file_format>")
@login_required
def dossier(violation_id, file_format):
    """The case file: PDF (cover, sketch, facts, history, photos, chain head) or ZIP (with the original photos,
    the documents, the GeoJSON and a manifest)."""
    case = field_reports.get_violation(db.session, violation_id)
    content = case_file.build(case)
    case_id, stem, prepared_by = case.id, case_file.file_stem(case), current_user.full_name or current_user.username
    try:
        with pdf.GATE.admit(Path(current_app.instance_path) / "locks", current_user.id):
            parts = case_file.zip_parts(content) if file_format == "zip" else None
            built = case_file.dossier_pdf(content, prepared_by)
            if parts is not None:
                built = case_file.dossier_zip(content, built, parts)
    except pdf.PdfBusy as exc:
        return _busy(exc)
    except pdf.PdfUnavailable as exc:
        return _unavailable(exc)
    issued.log_issued(db.session, kind="dossier", file_format=file_format, content=built, user_id=current_user.id,
                      violation_id=case_id)
    db.session.commit()
    return _send(built, f"{stem}.{file_format}", PDF if file_format == "pdf" else "application/zip")
