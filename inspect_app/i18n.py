"""Language and time zone: Vietnamese by default, English on request, times in local time."""

from flask import current_app, has_request_context, session
from flask_babel import gettext

from .domain.accounts.roles import ROLE_LABELS
from .domain.cases.categories import BY_KEY as CATEGORIES_BY_KEY
from .domain.cases.stages import STAGE_LABELS
from .domain.errors import N_
from .models.vocabulary import VisitOutcome

LANGUAGE_SESSION_KEY = "lang"


def select_locale():
    """The language chosen by the user this session, else the ward's default (Vietnamese)."""
    chosen = session.get(LANGUAGE_SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate_error(error):
    """A DomainError's message in the current language, with its parameters filled in.

    Text parameters that are themselves msgids (an action's or a stage's name) are translated too.
    """
    params = {key: _translate_param(value) for key, value in error.params.items()}
    return gettext(error.message, **params)


def _translate_param(value):
    if isinstance(value, str):
        return gettext(value)
    if isinstance(value, tuple):  # a list of msgids, e.g. the fields that differ
        return ", ".join(gettext(item) for item in value)
    return value


def role_label(role):
    """A role's name in the current language."""
    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def stage_label(stage):
    """A case stage's name in the current language."""
    return gettext(STAGE_LABELS[stage]) if stage in STAGE_LABELS else stage


def category_label(key):
    """A violation category's name in the current language."""
    return gettext(CATEGORIES_BY_KEY[key].label) if key in CATEGORIES_BY_KEY else key


VISIT_OUTCOME_LABELS = {
    VisitOutcome.NOTHING_WRONG: N_("Nothing wrong"),
    VisitOutcome.VIOLATION_FOUND: N_("Violation found"),
    VisitOutcome.FOLLOW_UP: N_("Follow-up of a case"),
}


def visit_outcome_label(outcome):
    """A visit outcome's name in the current language."""
    return gettext(VISIT_OUTCOME_LABELS.get(outcome, outcome))


def init_app(app, babel):
    """Bind Flask-Babel with the locale selector (templating.py gives templates the formatters)."""
    babel.init_app(app, locale_selector=select_locale)
