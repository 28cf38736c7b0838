"""Lists of cases: by stage, overdue, due this week, waiting for the chairman, with filters."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ...models import CaseEvent, Route, User, Violation, Visit
from ..errors import N_, InvalidFields, InvalidInput
from ..inputs import FieldReader
from ..ward_time import local_midnight, week_bounds
from . import case_search
from .categories import CATEGORY_KEYS
from .clocks import due_by_clause, not_overdue_clause, overdue_clause
from .events import APPLIED
from .proposals import waiting_case_ids
from .stages import CLOSED, STAGES
from .workflow import ON_SITE_STEPS


@dataclass
class CaseFilters:
    """What the user asked to see (kept in the URL)."""

    stage: str | None = None
    overdue: bool = False
    due_this_week: bool = False
    waiting: bool = False
    route_id: int | None = None
    khu_vuc: str = ""
    category: str | None = None
    officer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""                          # the search box: words matched without diacritics (case_search.py)
    due_by: date | None = None           # open, with a clock ending on or before this day (overdue included)
    no_visit_since: date | None = None   # open, and nobody has been on site since this day

    def as_query(self) -> dict[str, Any]:
        """The filters as URL parameters (only those set)."""
        values = {
            "stage": self.stage, "overdue": "1" if self.overdue else None, "due_this_week": "1" if self.due_this_week else None,
            "waiting": "1" if self.waiting else None, "route": self.route_id, "khu_vuc": self.khu_vuc or None,
            "category": self.category, "officer": self.officer_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None, "q": self.q or None,
            "due_by": self.due_by.isoformat() if self.due_by else None,
            "no_visit_since": self.no_visit_since.isoformat() if self.no_visit_since else None,
        }
        return {k: v for k, v in values.items() if v is not None}


def read_filters(args: Mapping[str, Any]) -> CaseFilters:
    """Filters from query parameters; raises InvalidFields for values that are not allowed."""
    reader = FieldReader(args)
    filters = CaseFilters(
        stage=reader.choice("stage", STAGES), overdue=reader.flag("overdue"), due_this_week=reader.flag("due_this_week"),
        waiting=reader.flag("waiting"), route_id=reader.optional_id("route"), khu_vuc=reader.text("khu_vuc", 100),
        category=reader.choice("category", CATEGORY_KEYS), officer_id=reader.optional_id("officer"),
        date_from=reader.day("date_from"), date_to=reader.day("date_to"), q=reader.text("q", 100),
        due_by=reader.day("due_by"), no_visit_since=reader.day("no_visit_since"),
    )
    problem = case_search.query_problem(filters.q)
    if problem:
        reader.error("q", problem)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        reader.error("date_to", N_("The end of the date range is before its start."))
    reader.finish()
    return filters


def check_filter_ids(session: Session, filters: CaseFilters) -> None:
    """Raise InvalidFields when the route or officer of a filter does not exist."""
    errors = {}
    if filters.route_id and session.get(Route, filters.route_id) is None:
        errors["route"] = InvalidInput(N_("This route does not exist."))
    if filters.officer_id and session.get(User, filters.officer_id) is None:
        errors["officer"] = InvalidInput(N_("No such officer."))
    if errors:
        raise InvalidFields(errors)


def read_checked_filters(session: Session, args: Mapping[str, Any]) -> CaseFilters:
    """read_filters, with the route and officer they name checked to exist (check_filter_ids)."""
    filters = read_filters(args)
    check_filter_ids(session, filters)
    return filters


def filtered(statement: Select, filters: CaseFilters, today: date) -> Select:
    """The statement with the filters applied (used by lists, the map and the GeoJSON API)."""
    if filters.stage:
        statement = statement.where(Violation.stage == filters.stage)
    if filters.overdue:
        statement = statement.where(overdue_clause(today))
    if filters.due_this_week:
        statement = statement.where(due_this_week_clause(today))
    if filters.waiting:
        statement = statement.where(Violation.id.in_(waiting_case_ids()))
    if filters.route_id:
        statement = statement.where(Violation.route_id == filters.route_id)
    if filters.khu_vuc:
        statement = statement.where(Violation.khu_vuc == filters.khu_vuc)
    if filters.category:
        statement = statement.where(Violation.category == filters.category)
    if filters.officer_id:
        statement = statement.where(Violation.officer_id == filters.officer_id)
    if filters.date_from:
        statement = statement.where(Violation.detected_at >= local_midnight(filters.date_from))
    if filters.date_to:
        statement = statement.where(Violation.detected_at < local_midnight(filters.date_to + timedelta(days=1)))
    if filters.due_by:
        statement = statement.where(due_by_clause(filters.due_by))
    if filters.no_visit_since:
        statement = statement.where(no_visit_since_clause(filters.no_visit_since))
    return statement


def due_this_week_clause(today: date) -> ColumnElement[bool]:
    """Open cases not overdue today with a clock (a deadline, or the limitation period before a decision)
    ending from today to Sunday: what must still be done this week, never counted twice with overdue."""
    return and_(due_by_clause(week_bounds(today)[1]), not_overdue_clause(today))


def no_visit_since_clause(day: date) -> ColumnElement[bool]:
    """Open cases reported before `day` (local) with no field visit and no step on site (workflow.ON_SITE_STEPS,
    by its document's date when it has one) since: the ones going stale."""
    since = local_midnight(day)
    visited = select(Visit.id).where(Visit.violation_id == Violation.id, Visit.visited_at >= since)
    on_site = select(CaseEvent.id).where(
        CaseEvent.violation_id == Violation.id, CaseEvent.kind.in_(APPLIED), CaseEvent.action.in_(ON_SITE_STEPS),
        or_(CaseEvent.document_date >= day, and_(CaseEvent.document_date.is_(None), CaseEvent.recorded_at >= since)))
    return and_(Violation.stage != CLOSED, Violation.detected_at < since, ~visited.exists(), ~on_site.exists())


def searched(session: Session, statement: Select, filters: CaseFilters) -> Select:
    """The statement narrowed to the cases matching the search box, if anything was typed."""
    query = case_search.read_query(filters.q)
    return statement.where(case_search.matches(session, query)) if query else statement


PAGE_SIZE = 50


@dataclass(frozen=True)
class CasePage:
    """One page of a case list, and where it stands among all the matching cases."""

    cases: Sequence[Violation]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matching cases fill (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The number of the page's first case in the whole list (1-based; 0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.cases else 0


def count_cases(session: Session, filters: CaseFilters, today: date) -> int:
    """How many cases match the filters (and the search box)."""
    statement = searched(session, filtered(select(func.count()).select_from(Violation), filters, today), filters)
    return session.scalar(statement) or 0


def find_cases(session: Session, filters: CaseFilters, today: date, page: int = 1,
               per_page: int = PAGE_SIZE) -> CasePage:
    """One page of the cases matching the filters and the search box: the case whose code has a typed number
    first, then the most urgent deadline, then the newest. A page past the end shows the last one."""
    total = count_cases(session, filters, today)
    page = min(max(page, 1), max(1, -(-total // per_page)))
    statement = searched(session, filtered(select(Violation.id), filters, today), filters)
    first = case_search.code_first(case_search.read_query(filters.q))
    order = ([first] if first is not None else []) + [
        Violation.due_date.is_(None), Violation.due_date, Violation.detected_at.desc(), Violation.id.desc()]
    # The page's ids first, then their rows: sorting tens of thousands of matches carries ids, not whole rows.
    ids = session.scalars(statement.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    rows = {case.id: case for case in session.scalars(select(Violation).where(Violation.id.in_(ids)))} if ids else {}
    return CasePage([rows[case_id] for case_id in ids], total, page, per_page)


def stage_counts(session: Session) -> dict[str, int]:
    """{stage: number of cases}."""
    return dict(session.execute(select(Violation.stage, func.count()).group_by(Violation.stage)).all())


def khu_vuc_values(session: Session) -> list[str]:
    """The neighbourhood names used in cases, for the filter list."""
    return [v for v in session.scalars(select(Violation.khu_vuc).where(Violation.khu_vuc != "").distinct().order_by(Violation.khu_vuc))]
