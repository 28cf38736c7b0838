"""The ward's document register (sổ văn bản): decisions get their number here when they are signed,
in order per kind and year, never twice; records written in the field keep the number the inspector
wrote, and the register refuses a number it already holds. The caller commits."""
import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import CaseEvent, DocumentCounter, RegisterEntry, User, Violation
from ..errors import N_, InvalidFields, InvalidInput
from ..geo import spatial
from .workflow import DocumentSpec


def _next_sequence(session, kind, year):
    spatial.insert_ignoring_duplicates(
        session, DocumentCounter.__table__, [{"kind": kind, "year": year, "last_number": 0}], ["kind", "year"]
    )
    # One UPDATE … RETURNING: two signatures at once can never read the same number (as case codes).
    return session.execute(
        update(DocumentCounter).where(DocumentCounter.kind == kind, DocumentCounter.year == year)
        .values(last_number=DocumentCounter.last_number + 1).returning(DocumentCounter.last_number)
    ).scalar_one()


def number_key(number: str) -> str:
    """A document number as the register compares it: '03/QĐ-XPHC' and '3/QĐ-XPHC' are one number
    (Nghị định 30/2020 writes numbers below 10 with a leading zero; papers are not always written so)."""
    return _LEADING_ZEROS.sub("", number.strip().casefold())


_LEADING_ZEROS = re.compile(r"^0+(?=\d)")


def _taken(session: Session, kind: str, year: int, number: str) -> RegisterEntry | None:
    key = number_key(number)
    entries = session.scalars(select(RegisterEntry).where(RegisterEntry.kind == kind, RegisterEntry.year == year)).all()
    return next((entry for entry in entries if number_key(entry.number) == key), None)


def sign(session: Session, spec: DocumentSpec, event: CaseEvent, case: Violation, signer: User) -> None:
    """Give the event's document its register number for the year of its date: '01/QĐ-XPHC' … '12/QĐ-XPHC'
    (a leading zero below 10, Nghị định 30/2020 Phụ lục I)."""
    assert event.document_date is not None, "a decision is dated when signed"
    year = event.document_date.year
    while True:  # a number written for a decision signed on paper is in the register already: skip it
        sequence = _next_sequence(session, spec.kind, year)
        event.document_number = f"{sequence:02d}/{spec.symbol}"
        if _taken(session, spec.kind, year, event.document_number) is None:
            break
    session.add(RegisterEntry(kind=spec.kind, year=year, number=event.document_number, sequence=sequence,
                              dated=event.document_date, violation_id=case.id, event=event, signer_id=signer.id))


def check_free(session: Session, kind: str, number: str, dated: date | None) -> None:
    """Refuse a written number the register already holds for this kind and year."""
    assert dated is not None, "a document with a number has its date (read_action_input)"
    taken = _taken(session, kind, dated.year, number)
    if taken is not None:
        raise InvalidFields({"document_number": InvalidInput(
            N_("Number %(number)s is already in the register for %(year)s (case %(code)s)."),
            number=number, year=dated.year, code=taken.violation.code)})


def refused_duplicate(error: IntegrityError) -> InvalidInput | None:
    """The refusal for a number another request put in the register at the same moment (the unique
    constraint caught what check_free could not see yet), or None when the IntegrityError is another one."""
    text = str(getattr(error, "orig", error))
    # PostgreSQL names the constraint; SQLite names its columns.
    if "uq_document_register_number" not in text and "document_register.number" not in text:
        return None
    return InvalidInput(
        N_("This number was entered in the register by someone else a moment ago: check the number and try again."))


def enter(session: Session, kind: str, event: CaseEvent, case: Violation, recorder: User) -> None:
    """Put a document written in the field (its number as written) into the register."""
    assert event.document_date is not None, "a document with a number has its date (read_action_input)"
    session.add(RegisterEntry(kind=kind, year=event.document_date.year, number=event.document_number, sequence=None,
                              dated=event.document_date, violation_id=case.id, event=event, signer_id=recorder.id))


def entries_of(session: Session, kind: str, year: int) -> Sequence[RegisterEntry]:
    """The register of a kind and year, in order."""
    return session.scalars(select(RegisterEntry).where(RegisterEntry.kind == kind, RegisterEntry.year == year)
                           .order_by(RegisterEntry.sequence, RegisterEntry.id)).all()
