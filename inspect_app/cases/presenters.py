"""How cases read on a page: the labels, deadlines and facts the case templates call (registered for every
template by templating.py). Nothing here changes a case."""
from flask import current_app, g
from flask_babel import gettext

from ..domain.cases import case_facts, clocks, workflow
from ..domain.geo import geography
from ..extensions import db
from ..rules import lifecycle_context


def request_case_context():
    """The rules, calendar and today of this request (read once per request)."""
    if "case_context" not in g:
        g.case_context = lifecycle_context(current_app.config, geography.get_ward(db.session))
    return g.case_context


def event_label(event):
    """Display name of an event's action."""
    action = workflow.ACTIONS.get(event.action)
    return gettext(action.label) if action else event.action


def nearest_deadline(case):
    """The deadline a case must meet first, for lists (clocks.nearest_deadline with this request's rules)."""
    context = request_case_context()
    return clocks.nearest_deadline(case, context.rules, context.calendar)


def facts_for(action, case):
    """The case facts an action's form asks for: all of them to edit facts, else what its document needs."""
    if action.edits_facts:
        return list(case_facts.FACTS.values())
    if action.document is None:
        return []
    return [case_facts.FACTS[name] for name in case_facts.asked_facts(action.document.kind, case.category)]


def fact_needed(action, case, name):
    """The action's document needs this fact (the form marks it *)."""
    return bool(action.document) and name in case_facts.needed_facts(action.document.kind, case.category)


def fact_value(case, name):
    """A fact as a form field shows it (dates as YYYY-MM-DD, nothing for None)."""
    value = getattr(case, name)
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)  # never rounded (an edit would store it)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def fact_shown(name, value):
    """A fact as the page prints it (a works state in the reader's language)."""
    text = case_facts.shown(name, value)
    return gettext(text) if text and name == "works_state" else text


def action_of(key):
    """The workflow's action of this key (None for an unknown one)."""
    return workflow.ACTIONS.get(key)


def clock_label(key):
    """A clock's (or a deadline rule's) name in the reader's language."""
    if not key:
        return ""  # gettext("") is the catalogue's header, not a label
    return gettext(clocks.CLOCK_LABELS.get(clocks.CLOCK_OF_RULE.get(key, key), key))


def outcome_label(key):
    """A closed case's outcome in the reader's language."""
    return gettext(workflow.OUTCOMES[key]) if key in workflow.OUTCOMES else key


TEMPLATE_GLOBALS = {
    "facts_for": facts_for, "fact_needed": fact_needed, "fact_value": fact_value, "fact_shown": fact_shown,
    "case_fact_list": case_facts.FACTS, "fact_changes": case_facts.changes_of, "works_states": case_facts.WORKS_STATES,
    "works_kinds": case_facts.WORKS_KINDS, "event_label": event_label, "action_of": action_of,
    "nearest_deadline": nearest_deadline, "clock_label": clock_label, "is_overdue": clocks.is_overdue,
    "outcome_label": outcome_label,
}
