"""The case file (dossier) of this installation: its HTML printed by Chromium, photos made small for
print, and the ZIP with the originals. Used by the download and by `flask cases dossier`."""
import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from markupsafe import Markup
from PIL import Image, ImageOps

from ..domain.documents import content
from ..domain.documents import dossier as dossier_domain
from ..domain.field.photos import photo_file
from ..domain.ward_time import VIETNAM_OFFSET
from ..extensions import db
from ..reports import pdf
from . import filling
from .sketch import sketch_svg_data

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "dossier.css"


def file_stem(case):
    """'ho-so-TL-2026-0042' (ASCII, for downloads and the ZIP's folder)."""
    return "ho-so-" + "".join(c for c in case.code if c.isascii() and (c.isalnum() or c in "-_"))


def css_string(text):
    """Text as the inside of a CSS string, every character but ASCII letters and digits written as a six-digit
    CSS escape (spaces too: CSS swallows one after an escape): a ward's name from the settings can never close
    the string or the style block."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in text)


def _print_copy(path, max_px):
    """The photo as a small JPEG data URI for print (the original stays in the ZIP), or None when its file
    cannot be read."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", (max_px, max_px))  # JPEG decodes at a fraction of its size: fast
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((max_px, max_px))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80, optimize=True)
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def build(case):
    """The case file's content (as of now)."""
    config = current_app.config
    return dossier_domain.build_dossier(db.session, case, config["PHOTO_DIR"], config["PHOTO_FAR_M"],
                                        timedelta(hours=config["PHOTO_EARLY_HOURS"]))


def dossier_html(dossier, prepared_by):
    """The case file as one self-contained HTML page (no script, nothing loaded from outside)."""
    config = current_app.config
    max_px = round(config["DOSSIER_PHOTO_DPI"] * config["DOSSIER_PHOTO_WIDTH_MM"] / 25.4)
    photos = [(evidence, _print_copy(photo_file(config["PHOTO_DIR"], evidence.photo.stored_name), max_px))
              for evidence in dossier.photos]
    ward_name, _settings = filling.ward_facts()
    steps = {event.id: event for event in filling.documented_steps(dossier.case)}
    with force_locale("vi"):
        return render_template("documents/dossier.html", dossier=dossier, case=dossier.case, photos=photos,
                               ward_name=ward_name, documented=steps, prepared_by=prepared_by, prepared_at=datetime.now(UTC),
                               sketch=sketch_svg_data(dossier.sketch), works_place=content.works_place(dossier.case),
                               running_header=css_string(f"UBND {ward_name.upper()} · HỒ SƠ {dossier.case.code}"),
                               stylesheet=Markup(CSS.read_text(encoding="utf-8")))


def dossier_pdf(dossier, prepared_by):
    """The case file as PDF (Chromium); the caller holds the render gate and no transaction."""
    html = dossier_html(dossier, prepared_by)
    db.session.rollback()  # Chromium takes seconds: hold no database transaction meanwhile
    return pdf.html_to_pdf(html, pdf.find_chromium(current_app.config.get("CHROMIUM_PATH")))


def zip_parts(dossier):
    """The ZIP's files besides its PDF, read now (before the PDF's rollback, so that the whole ZIP shows one
    state of the case): each step's Word document made again, the original photos, the case as GeoJSON."""
    case = dossier.case
    made_on = datetime.now(UTC).astimezone(VIETNAM_OFFSET).strftime("%d/%m/%Y %H:%M")
    files = []
    for event in filling.documented_steps(case):
        content, template, filled = filling.step_docx(case, event)
        note = f"tạo lại {made_on} từ dữ liệu hiện tại, mẫu {template.short_version}"
        if filled.missing:
            with force_locale("vi"):
                note += "; để trống: " + ", ".join(filled.missing_labels(gettext))
        files.append(dossier_domain.DossierFile(f"van-ban/{event.seq:03d}-{event.document_kind}.docx", content, note=note))
    for index, evidence in enumerate(dossier.photos, start=1):
        photo = evidence.photo
        extension = Path(photo.stored_name).suffix or ".jpg"
        files.append(dossier_domain.DossierFile(f"anh/{index:03d}-{photo.sha256[:12]}{extension}",
                                                path=photo_file(current_app.config["PHOTO_DIR"], photo.stored_name),
                                                expected_sha256=photo.sha256, note="tệp gốc như khi tải lên"))
    files.append(dossier_domain.DossierFile("vu-viec.geojson", dossier_domain.case_geojson(case)))
    return files


def dossier_zip(dossier, pdf_bytes, parts):
    """The case file as a ZIP with its manifest (no database needed: `parts` were read before)."""
    return dossier_domain.dossier_zip([dossier_domain.DossierFile("ho-so.pdf", pdf_bytes), *parts], dossier.case.code,
                                      file_stem(dossier.case), dossier.chain_head)
