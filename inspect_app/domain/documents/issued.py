"""The log of every document and case file the app handed out: which case and step, which template
version, the file's SHA-256 and size, whether blanks were chosen, who asked (None: the command line).
The caller commits."""
from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from ...models import GeneratedDocument


def log_issued(session: Session, *, kind: str, file_format: str, content: bytes, user_id: int | None,
               violation_id: int | None = None, event_id: int | None = None, template_version: str = "",
               with_blanks: bool = False) -> GeneratedDocument:
    """Add the log entry of a file handed out."""
    entry = GeneratedDocument(kind=kind, file_format=file_format, template_version=template_version,
                              sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content),
                              with_blanks=with_blanks, user_id=user_id, violation_id=violation_id, event_id=event_id)
    session.add(entry)
    return entry
