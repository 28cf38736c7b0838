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
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape
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


# What a template may do besides printing a placeholder: conditions, joining with ~, and these filters
# (none returns markup, none repeats or loops). Loops, calls, arithmetic, macros, autoescape blocks and
# every other filter are refused at upload: a template cannot print a value unescaped, nor run long.
ALLOWED_FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "default", "d", "replace", "truncate",
                             "length", "count", "string", "center", "wordcount"})
ALLOWED_TESTS = frozenset({"defined", "undefined", "none", "string", "sameas"})
_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If, nodes.Filter,
                  nodes.Test, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.CondExpr,
                  nodes.Concat, nodes.Keyword)


def _escaped(value: object) -> object:
    """A value as XML text: escaped, and with its underscores as character references, because docxtpl
    turns "{_{" into "{{" in the rendered document (a value must come out as it was typed)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(str(escape(value)).replace("_", "&#95;"))
    return value


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_escaped)


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


# Parts a template may not carry: macros, embedded programs and objects, a remote "attached template".
_FORBIDDEN_PARTS = ("vbaproject", "word/embeddings/", "activex", "oleobject")
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _package_parts(content: bytes) -> dict[str, bytes]:
    """Every part of the .docx, read (and so checked) once; InvalidInput when it is not a plain Word file."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(N_("The template is larger than %(mb)s MB."), mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    try:
        package = zipfile.ZipFile(io.BytesIO(content))
        if sum(item.file_size for item in package.infolist()) > MAX_UNPACKED_BYTES:
            raise InvalidInput(N_("The template is larger than %(mb)s MB."), mb=MAX_UNPACKED_BYTES // (1024 * 1024))
        parts, unpacked = {}, 0
        for item in package.infolist():
            parts[item.filename] = package.read(item)
            unpacked += len(parts[item.filename])
            if unpacked > MAX_UNPACKED_BYTES:
                raise InvalidInput(N_("The template is larger than %(mb)s MB."), mb=MAX_UNPACKED_BYTES // (1024 * 1024))
    except InvalidInput:
        raise
    except Exception:  # damaged, encrypted or oddly compressed archives raise many kinds
        raise InvalidInput(N_("This file is not a Word document (.docx).")) from None
    return parts


def _check_package(content: bytes) -> dict[str, bytes]:
    parts = _package_parts(content)
    types = parts.get("[Content_Types].xml", b"").decode("utf-8", "replace")
    if "macroEnabled" in types or any(name.lower().endswith("vbaproject.bin") for name in parts):
        raise InvalidInput(N_("This Word file contains macros (.docm). Save it as a plain Word document (.docx) "
                              "and upload it again."))
    if WORD_MAIN not in types:
        raise InvalidInput(N_("This file is not a Word document (.docx)."))
    for name, data in parts.items():
        if any(marker in name.lower() for marker in _FORBIDDEN_PARTS) or (
                name.endswith(".rels") and _links_outside(data)):
            raise InvalidInput(N_("The template links to files outside it or holds embedded objects. Insert "
                                  "pictures into the document itself and remove linked or embedded objects."))
    return parts


def _links_outside(rels: bytes) -> bool:
    """Whether a relationships part points outside the package (a linked picture, a remote template) or
    attaches a template: only hyperlinks may (LibreOffice would fetch anything else when printing)."""
    try:
        root = etree.fromstring(rels)
    except etree.XMLSyntaxError:
        return True
    for relation in root:
        kind = relation.get("Type", "")
        if kind.endswith("/attachedTemplate"):
            return True
        if relation.get("TargetMode") == "External" and kind != _HYPERLINK:
            return True
    return False


def _template_sources(word: DocxTemplate, parts: dict[str, bytes]) -> list[str]:
    """The Jinja source docxtpl would render in each text part (body, headers, footers, notes, properties)."""
    return [word.patch_xml(data.decode("utf-8", "replace")) for name, data in parts.items()
            if (name.startswith("word/") and name.endswith(".xml")) or name == "docProps/core.xml"]


def _check_statements(source: str) -> None:
    """Refuse anything but placeholders, conditions and the allowed filters (see ALLOWED_FILTERS)."""
    for node in _environment().parse(source).find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise InvalidInput(N_("The template may hold placeholders, {%% if %%} conditions and simple filters "
                                  "only; it uses %(what)s."), what=type(node).__name__)
        name = getattr(node, "name", None)
        if isinstance(node, nodes.Filter) and name not in ALLOWED_FILTERS:
            raise InvalidInput(N_("The template uses a filter the app does not allow: %(names)s."), names=str(name))
        if isinstance(node, nodes.Test) and name not in ALLOWED_TESTS:
            raise InvalidInput(N_("The template uses a filter the app does not allow: %(names)s."), names=str(name))


def _as_placeholders(names):
    return ", ".join("{{ " + name + " }}" for name in names)


def check_template(kind: str, content: bytes) -> None:
    """Raise InvalidInput saying what is wrong unless the file is a plain .docx whose placeholders are all
    known, that carries those its kind needs, and that renders with the sample case into a Word file."""
    parts = _check_package(content)
    try:
        word = DocxTemplate(io.BytesIO(content))
        for source in _template_sources(word, parts):
            _check_statements(source)
        used = word.get_undeclared_template_variables(_environment())
    except TemplateSyntaxError as exc:
        raise InvalidInput(N_("The template has a mistake in a placeholder or a {%% … %%} block: %(error)s"),
                           error=exc.message or str(exc) or type(exc).__name__) from None
    except TemplateError as exc:
        raise InvalidInput(N_("The template has a mistake in a placeholder or a {%% … %%} block: %(error)s"),
                           error=str(exc) or type(exc).__name__) from None
    except InvalidInput:
        raise
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
    shown_name = "".join(ch for ch in filename if ch.isprintable())[:200].strip()
    template = DocumentTemplate(kind=kind, version=_sha256(content), filename=shown_name or f"{kind}.docx",
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
