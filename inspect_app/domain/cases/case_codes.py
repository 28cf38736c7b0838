"""Case codes: ward prefix, year, running number (TL-2026-0042), never given twice."""
from sqlalchemy import update
from sqlalchemy.orm import Session

from ...models import CaseCounter
from ..geo import spatial


def next_case_code(session: Session, prefix: str, year: int) -> str:
    """Take the next number for prefix and year; safe when many reports arrive at once."""
    spatial.insert_ignoring_duplicates(
        session, CaseCounter.__table__, [{"prefix": prefix, "year": year, "last_number": 0}], ["prefix", "year"]
    )
    # One UPDATE … RETURNING: PostgreSQL locks the row, SQLite holds the write lock, so two
    # concurrent reports can never read the same number.
    number = session.execute(
        update(CaseCounter)
        .where(CaseCounter.prefix == prefix, CaseCounter.year == year)
        .values(last_number=CaseCounter.last_number + 1)
        .returning(CaseCounter.last_number)
    ).scalar_one()
    return format_case_code(prefix, year, number)


def format_case_code(prefix: str, year: int, number: int) -> str:
    """TL-2026-0042 (at least four digits)."""
    return f"{prefix}-{year}-{number:04d}"
