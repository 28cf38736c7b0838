"""The official documents' Word templates the office uploaded, and every document the app produced."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class DocumentTemplate(db.Model):
    """One uploaded .docx template of a kind of document. The newest one not retired is in use; going
    back to the default retires them all (they stay: a generated document names its template's version)."""

    __tablename__ = "document_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[str] = mapped_column(String(64))        # SHA-256 of the file
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GeneratedDocument(db.Model):
    """A document or dossier the app produced and handed out: which case and step, which template
    version, the file's SHA-256 and size, whether blanks were chosen, who asked and when."""

    __tablename__ = "generated_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"), nullable=True, index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))           # the document's kind, or "dossier"
    file_format: Mapped[str] = mapped_column(String(8))     # docx, pdf, zip
    template_version: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    with_blanks: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # None: the command line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
