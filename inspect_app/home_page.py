"""The start page of each role, shown by the main blueprint and again by the field pages when a start
form was wrong (with its message): a page of the app, not of one blueprint."""
from datetime import timedelta

from flask import current_app, render_template
from flask_login import current_user

from .domain.accounts import accounts
from .domain.accounts.roles import ADMIN, CHAIRMAN, INSPECTOR
from .domain.cases import case_actions, case_queries, proposals
from .domain.field import patrols
from .domain.geo import geography
from .extensions import db
from .models.types import utcnow
from .rules import lifecycle_context

HOME_TEMPLATES = {
    INSPECTOR: "main/home_inspector.html",
    CHAIRMAN: "main/home_chairman.html",
    ADMIN: "main/home_admin.html",
}


def render_home(status=200):
    """The role's start page (also shown again, with the message, when a start form was wrong)."""
    routes = geography.routes_with_length(db.session)
    ward = geography.get_ward(db.session)
    extra = {}
    if current_user.role == INSPECTOR:
        still_open = patrols.open_patrols_of(db.session, current_user)
        extra["open_patrol"] = still_open[-1] if still_open else None
        extra.update(inspector_news(current_user))
    if current_user.role in (CHAIRMAN, ADMIN):
        extra["user_count"] = accounts.count_users(db.session)
        today = lifecycle_context(current_app.config).today
        extra["waiting_count"] = len(case_actions.pending_proposals(db.session))
        extra["overdue_count"] = case_queries.count_cases(db.session, case_queries.CaseFilters(overdue=True), today)
    if current_user.role == ADMIN:
        extra["users"] = accounts.list_users(db.session)
    return render_template(HOME_TEMPLATES[current_user.role], routes=routes, ward=ward, **extra), status


def inspector_news(user):
    """The chairman's answers and decisions of the last NEWS_DAYS days, for an inspector's pages."""
    days = current_app.config["NEWS_DAYS"]
    return {"news": proposals.news_for(db.session, user, utcnow() - timedelta(days=days)), "news_days": days}
