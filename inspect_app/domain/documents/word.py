"""The .docx templates of the official documents: the defaults shipped in the project, the office's
own uploads (kept, the newest in use), the checks an upload passes, and rendering.

A template is Jinja inside Word (docxtpl). The office's template is the only template source that
is not the app's own: it renders in Jinja's sandbox, with every value escaped for XML and any
unknown placeholder an error, so a value is always printed as data and a template can reach nothing
but the values it is given. Case data never becomes template source.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from ...models import DocumentTemplate, User
from ..errors import N_, InvalidInput
from .content import FilledDocument, sample_document
from .forms import FORMS, PLACEHOLDERS, required_placeholders

DEFAULTS = Path(__file__).resolve().parent.parent.parent / "data" / "document_templates"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class WordTemplate:
    """A template's file and version (the SHA-256 of the file, first 12 characters shown)."""

    kind: str
    content: bytes
    version: str
    uploaded: DocumentTemplate | None = None   # None: the project's default

    @property
    def short_version(self) -> str:
        """The version as printed and shown: 'mặc định' defaults are told apart by the same 12 characters."""
        return self.version[:12]


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def default_template(kind: str) -> WordTemplate:
    """The template the project ships for this kind."""
    content = (DEFAULTS / f"{kind}.docx").read_bytes()
    return WordTemplate(kind, content, _sha256(content))


def current_template(session: Session, kind: str) -> WordTemplate:
    """The template in use: the office's newest upload not retired, else the default."""
    uploaded = session.scalars(select(DocumentTemplate).where(DocumentTemplate.kind == kind,
                                                              DocumentTemplate.retired_at.is_(None))
                               .order_by(DocumentTemplate.id.desc()).limit(1)).first()
    if uploaded is None:
        return default_template(kind)
    return WordTemplate(kind, uploaded.content, uploaded.version, uploaded)


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def render_docx(template: WordTemplate, document: FilledDocument) -> bytes:
    """The filled document as a .docx file (its properties name the template's version)."""
    word = DocxTemplate(io.BytesIO(template.content))
    word.render(document.values, jinja_env=_environment(), autoescape=True)
    # Set after rendering: docxtpl renders the properties as templates, and these hold case data.
    properties = word.docx.core_properties
    properties.title = f"{document.form.title} {document.values.get('case_code', '')}".strip()
    properties.version = template.version
    properties.comments = f"Mẫu (template) {template.short_version}"
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _check_package(content: bytes) -> None:
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(N_("The template is larger than %(mb)s MB."), mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    try:
        package = zipfile.ZipFile(io.BytesIO(content))
        names = package.namelist()
        unpacked = sum(item.file_size for item in package.infolist())
        types = package.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names else ""
    except (zipfile.BadZipFile, KeyError, OSError):
        raise InvalidInput(N_("This file is not a Word document (.docx).")) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or "macroEnabled" in types:
        raise InvalidInput(N_("This Word file contains macros (.docm). Save it as a plain Word document (.docx) "
                              "and upload it again."))
    if WORD_MAIN not in types:
        raise InvalidInput(N_("This file is not a Word document (.docx)."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInput(N_("The template is larger than %(mb)s MB."), mb=MAX_UNPACKED_BYTES // (1024 * 1024))


def _as_placeholders(names):
    return ", ".join("{{ " + name + " }}" for name in names)


def check_template(kind: str, content: bytes) -> None:
    """Raise InvalidInput saying what is wrong unless the file is a plain .docx whose placeholders are all
    known, that carries those its kind needs, and that renders with the sample case into a Word file."""
    _check_package(content)
    try:
        word = DocxTemplate(io.BytesIO(content))
        used = word.get_undeclared_template_variables(_environment())
    except TemplateSyntaxError as exc:
        raise InvalidInput(N_("The template has a mistake in a placeholder or a {%% … %%} block: %(error)s"),
                           error=exc.message or str(exc)) from None
    except TemplateError as exc:
        raise InvalidInput(N_("The template has a mistake in a placeholder or a {%% … %%} block: %(error)s"),
                           error=str(exc)) from None
    except Exception:  # python-docx raises several kinds on a damaged package
        raise InvalidInput(N_("This file is not a Word document (.docx).")) from None
    unknown = sorted(set(used) - set(PLACEHOLDERS))
    if unknown:
        raise InvalidInput(N_("The template uses placeholders the app does not know: %(names)s."),
                           names=_as_placeholders(unknown))
    absent = [name for name in required_placeholders(kind) if name not in used]
    if absent:
        raise InvalidInput(N_("The template lacks placeholders this document must have: %(names)s."),
                           names=_as_placeholders(absent))
    try:
        rendered = render_docx(WordTemplate(kind, content, _sha256(content)), sample_document(kind))
        Document(io.BytesIO(rendered))
    except (TemplateError, UndefinedError) as exc:
        raise InvalidInput(N_("The template has a mistake in a placeholder or a {%% … %%} block: %(error)s"),
                           error=str(exc)) from None
    except Exception:
        raise InvalidInput(N_("The template could not be filled with a sample case: Word would not open the "
                              "result. Check the placeholders and blocks in it.")) from None


def store_template(session: Session, kind: str, filename: str, content: bytes, user: User) -> DocumentTemplate:
    """Check an uploaded template and put it in use (the previous ones are kept). The caller commits."""
    if kind not in FORMS:
        raise InvalidInput(N_("There is no such document."))
    check_template(kind, content)
    template = DocumentTemplate(kind=kind, version=_sha256(content), filename=filename[:200] or f"{kind}.docx",
                                content=content, uploaded_by_id=user.id)
    session.add(template)
    session.flush()
    return template


def restore_default(session: Session, kind: str) -> int:
    """Go back to the project's template: retire every upload of the kind (kept). The caller commits."""
    if kind not in FORMS:
        raise InvalidInput(N_("There is no such document."))
    result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE gives a cursor result
        update(DocumentTemplate).where(DocumentTemplate.kind == kind, DocumentTemplate.retired_at.is_(None))
        .values(retired_at=datetime.now(UTC)))
    return result.rowcount
