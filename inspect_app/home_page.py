"""The start page of each role, shown by the main blueprint and again by the field pages when a start
form was wrong (with its message): a page of the app, not of one blueprint."""
from flask import current_app, render_template
from flask_login import current_user

from .cases.presenters import request_case_context
from .cases.queue import queue_context
from .domain.accounts import accounts
from .domain.accounts.roles import ADMIN, CHAIRMAN, INSPECTOR
from .domain.cases import todo
from .domain.field import patrols
from .domain.geo import geography
from .domain.ward_time import local_today
from .extensions import db
from .models.types import utcnow
from .operations import backups

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
        extra.update(inspector_todo_context(current_user))
    if current_user.role == CHAIRMAN:
        context = request_case_context()
        extra["todo"] = todo.chairman_todo(db.session, context.today, current_app.config["NO_VISIT_DAYS"])
        extra.update(queue_context(extra["todo"].waiting, context))
    if current_user.role == ADMIN:
        extra["users"] = accounts.list_users(db.session)
        extra["todo"] = todo.admin_todo(db.session, utcnow(), current_app.config["IDLE_USER_DAYS"])
        extra["backup"] = backups.last_backup(current_app.config.get("BACKUP_DIR"), local_today())
    return render_template(HOME_TEMPLATES[current_user.role], routes=routes, ward=ward, **extra), status


def inspector_todo_context(user):
    """An inspector's Việc cần làm (cases due soon, news on their cases), for the home page and My day."""
    context = request_case_context()
    days = current_app.config["NEWS_DAYS"]
    now = utcnow()  # "mark as read" reaches up to this moment: what came later is still new
    mine = todo.inspector_todo(db.session, user, context.today, context.calendar, now, days)
    return {"todo": mine, "news": mine.news, "news_days": days, "today": context.today, "news_until": now}
