"""Lists of cases: by stage, overdue, due this week, waiting for the chairman, with filters."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..models import CaseEvent, Violation
from .case_actions import week_bounds
from .categories import CATEGORY_KEYS
from .inputs import FieldReader
from .stages import CLOSED, STAGES


@dataclass
class CaseFilters:
    """What the user asked to see (kept in the URL)."""

    stage: Optional[str] = None
    overdue: bool = False
    due_this_week: bool = False
    waiting: bool = False
    route_id: Optional[int] = None
    khu_vuc: str = ""
    category: Optional[str] = None
    officer_id: Optional[int] = None


def read_filters(args):
    """Filters from query parameters; raises InvalidFields for values that are not allowed."""
    reader = FieldReader(args)
    filters = CaseFilters(
        stage=reader.choice("stage", STAGES), overdue=reader.flag("overdue"), due_this_week=reader.flag("due_this_week"),
        waiting=reader.flag("waiting"), route_id=reader.optional_id("route"), khu_vuc=reader.text("khu_vuc", 100),
        category=reader.choice("category", CATEGORY_KEYS), officer_id=reader.optional_id("officer"),
    )
    reader.finish()
    return filters


def find_cases(session, filters, today, limit=1000):
    """Cases matching the filters, most urgent deadline first, then newest."""
    statement = select(Violation)
    if filters.stage:
        statement = statement.where(Violation.stage == filters.stage)
    if filters.overdue:
        statement = statement.where(Violation.stage != CLOSED, Violation.due_date < today)
    if filters.due_this_week:
        monday, sunday = week_bounds(today)
        statement = statement.where(Violation.stage != CLOSED, Violation.due_date >= monday, Violation.due_date <= sunday)
    if filters.waiting:
        statement = statement.where(Violation.id.in_(_waiting_case_ids()))
    if filters.route_id:
        statement = statement.where(Violation.route_id == filters.route_id)
    if filters.khu_vuc:
        statement = statement.where(Violation.khu_vuc == filters.khu_vuc)
    if filters.category:
        statement = statement.where(Violation.category == filters.category)
    if filters.officer_id:
        statement = statement.where(Violation.officer_id == filters.officer_id)
    statement = statement.order_by(Violation.due_date.is_(None), Violation.due_date, Violation.detected_at.desc()).limit(limit)
    return session.scalars(statement).all()


def _waiting_case_ids():
    answer = aliased(CaseEvent)
    answered = select(answer.answers_event_id).where(answer.kind.in_(("approval", "rejection")), answer.answers_event_id.is_not(None))
    return select(CaseEvent.violation_id).where(CaseEvent.kind == "proposal", CaseEvent.id.not_in(answered))


def stage_counts(session):
    """{stage: number of cases}."""
    return dict(session.execute(select(Violation.stage, func.count()).group_by(Violation.stage)).all())


def khu_vuc_values(session):
    """The neighbourhood names used in cases, for the filter list."""
    return [v for v in session.scalars(select(Violation.khu_vuc).where(Violation.khu_vuc != "").distinct().order_by(Violation.khu_vuc))]
