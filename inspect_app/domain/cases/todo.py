"""Việc cần làm: what each role has to do now, as numbers that open the case list filtered to them
(the home pages, the phone's badge and the morning e-mail read the same functions)."""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, aliased

from ...models import CaseEvent, Route, User, Violation, Ward
from ..ward_time import week_bounds
from .case_queries import CaseFilters, due_this_week_clause, no_visit_since_clause
from .clocks import BEFORE_DECISION, due_by_clause, overdue_clause
from .deadlines import WorkingCalendar
from .events import APPLIED
from .overview import RouteWeek, patrol_week
from .proposals import news_for, pending_proposals
from .workflow import CORRECTION

SOON_WORKING_DAYS = 2   # "due soon": a clock ending within this many working days (issue 19)
LISTED = 20             # cases listed on a home page; the number links to all of them
NEWS_MAX_DAYS = 90      # news older than this is not listed even when never marked read


@dataclass(frozen=True)
class OfficerLoad:
    """One officer's open cases that are overdue or due this week (officer None: nobody in charge)."""

    officer: User | None
    overdue: int
    due_this_week: int

    def filters(self, overdue: bool = False, due_this_week: bool = False) -> CaseFilters:
        """The case-list filters that show these cases."""
        return CaseFilters(officer_id=self.officer.id if self.officer else None, overdue=overdue,
                           due_this_week=due_this_week)


@dataclass
class ChairmanTodo:
    """The chairman's Monday: decisions waiting, clocks due, cases left alone, the week's patrols."""

    waiting: Sequence[CaseEvent]
    overdue: int
    due_this_week: int
    by_officer: list[OfficerLoad]
    quiet: int
    quiet_since: date
    coverage: list[RouteWeek] = field(default_factory=list)

    @property
    def badge(self) -> int:
        """What the phone's badge counts: decisions waiting and overdue cases."""
        return len(self.waiting) + self.overdue


def chairman_todo(session: Session, today: date, quiet_days: int) -> ChairmanTodo:
    """The chairman's list of things to do on `today` (cases with no visit for `quiet_days` days)."""
    late, due = overdue_clause(today), due_this_week_clause(today)
    rows = session.execute(
        select(Violation.officer_id, func.sum(case((late, 1), else_=0)), func.sum(case((due, 1), else_=0)))
        .where(late | due).group_by(Violation.officer_id)
    ).all()
    officers = {u.id: u for u in session.scalars(select(User).where(User.id.in_([r[0] for r in rows if r[0]])))}
    loads = sorted((OfficerLoad(officers.get(officer_id), int(late or 0), int(due or 0)) for officer_id, late, due in rows),
                   key=lambda load: (-load.overdue, -load.due_this_week, load.officer.username if load.officer else ""))
    quiet_since = today - timedelta(days=quiet_days)
    return ChairmanTodo(
        waiting=pending_proposals(session),
        overdue=sum(load.overdue for load in loads),
        due_this_week=sum(load.due_this_week for load in loads),
        by_officer=loads,
        quiet=session.scalar(select(func.count()).select_from(Violation).where(no_visit_since_clause(quiet_since))) or 0,
        quiet_since=quiet_since,
        coverage=patrol_week(session, week_bounds(today)[0]),
    )


@dataclass
class InspectorTodo:
    """An inspector's cases that need them soon, and what happened to their work since they last came."""

    due_by: date
    due_cases: Sequence[Violation]
    due_count: int
    overdue_count: int
    news: Sequence[CaseEvent]
    new_since: datetime | None

    @property
    def badge(self) -> int:
        """What the phone's badge counts: the inspector's cases overdue or due soon."""
        return self.due_count

    def is_new(self, event: CaseEvent) -> bool:
        """The entry came after the inspector last marked the news read (all are new before the first time)."""
        return self.new_since is None or event.recorded_at > self.new_since

    @property
    def news_unread(self) -> int:
        """How many of the listed news entries are new."""
        return sum(1 for event in self.news if self.is_new(event))

    def filters(self, user: User) -> CaseFilters:
        """The case-list filters that show all of the due cases."""
        return CaseFilters(officer_id=user.id, due_by=self.due_by)


def inspector_todo(session: Session, user: User, today: date, calendar: WorkingCalendar, now: datetime,
                   news_days: int) -> InspectorTodo:
    """The inspector's cases with a clock ending within SOON_WORKING_DAYS working days or overdue
    (nearest first), and the news on their work: of the last `news_days` days, or since they last marked
    it read when that is earlier (back from leave: nothing is skipped), at most NEWS_MAX_DAYS."""
    seen = user.news_seen_at
    news_from = max(min(now - timedelta(days=news_days), seen or now), now - timedelta(days=NEWS_MAX_DAYS))
    due_by = calendar.add_working_days(today, SOON_WORKING_DAYS)
    listed, count = cases_due_by(session, due_by, user.id)
    return InspectorTodo(
        due_by=due_by,
        due_cases=listed,
        due_count=count,
        overdue_count=count_overdue(session, today, user.id),
        news=news_for(session, user, news_from),
        new_since=seen,
    )


def cases_due_by(session: Session, due_by: date, officer_id: int | None = None,
                 limit: int = LISTED) -> tuple[Sequence[Violation], int]:
    """Open cases with a clock ending on or before `due_by` (of one officer, or all), nearest first: the first
    `limit` of them, and how many there are."""
    statement = select(Violation).where(due_by_clause(due_by))
    if officer_id is not None:
        statement = statement.where(Violation.officer_id == officer_id)
    count = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    return session.scalars(statement.order_by(nearest_due_order(), Violation.id).limit(limit)).all(), count


def count_overdue(session: Session, today: date, officer_id: int | None = None) -> int:
    """How many open cases are overdue today (of one officer, or all)."""
    statement = select(func.count()).select_from(Violation).where(overdue_clause(today))
    if officer_id is not None:
        statement = statement.where(Violation.officer_id == officer_id)
    return session.scalar(statement) or 0


def nearest_due_order() -> ColumnElement:
    """The first day a clock of the case ends, as clocks.nearest_due reads it, as an SQL expression to sort by."""
    limitation = case((Violation.stage.in_(BEFORE_DECISION), Violation.limitation_due), else_=None)
    return case((Violation.due_date.is_(None), limitation), (limitation.is_(None), Violation.due_date),
                (Violation.due_date <= limitation, Violation.due_date), else_=limitation)


@dataclass
class AdminTodo:
    """The office's list: documents without a number, accounts unused, geography not checked."""

    unnumbered: Sequence[CaseEvent]
    idle_users: Sequence[User]
    idle_since: datetime
    unverified_routes: Sequence[Route]
    boundary_unverified: bool

    @property
    def badge(self) -> int:
        """What the phone's badge counts: documents waiting for their number."""
        return len(self.unnumbered)


def unnumbered_documents(session: Session) -> Sequence[CaseEvent]:
    """Steps that produced a document recorded without its number (a notice, a record of delivery), and
    that no later correction entry answers: the register still has to give or note a number."""
    correction = aliased(CaseEvent)
    corrected = select(correction.id).where(correction.action == CORRECTION, correction.answers_event_id == CaseEvent.id)
    return session.scalars(
        select(CaseEvent).where(CaseEvent.kind.in_(APPLIED), CaseEvent.document_kind != "",
                                CaseEvent.document_number == "", ~corrected.exists())
        .order_by(CaseEvent.recorded_at)
    ).all()


def admin_todo(session: Session, now: datetime, idle_days: int) -> AdminTodo:
    """The office administrator's list (accounts idle for `idle_days` days or never used)."""
    idle_since = now - timedelta(days=idle_days)
    ward = session.scalar(select(Ward))
    return AdminTodo(
        unnumbered=unnumbered_documents(session),
        idle_users=session.scalars(select(User).where(
            User.active, (User.last_login_at.is_(None) & (User.created_at < idle_since)) | (User.last_login_at < idle_since)
        ).order_by(User.username)).all(),
        idle_since=idle_since,
        unverified_routes=session.scalars(select(Route).where(~Route.verified, Route.retired_at.is_(None))
                                          .order_by(Route.code)).all(),
        boundary_unverified=ward is not None and ward.boundary is not None and not ward.boundary_verified,
    )
