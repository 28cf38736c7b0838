"""Case filters from a request, shared by the case list and the map (same fields, same messages)."""
from flask import flash, request
from flask_babel import lazy_gettext as _l

from .domain.accounts import accounts
from .domain.cases import case_queries
from .domain.cases.categories import CATEGORIES
from .domain.cases.stages import STAGES
from .domain.errors import InvalidFields
from .domain.geo import geography
from .extensions import db
from .i18n import translate_error

FIELD_LABELS = {
    "stage": _l("Stage"), "route": _l("Route"), "khu_vuc": _l("Neighbourhood (khu vực)"), "category": _l("Violation"),
    "officer": _l("Officer in charge"), "date_from": _l("From"), "date_to": _l("To"), "q": _l("Search"),
}


def filters_from_request():
    """(CaseFilters, ok): unfiltered with the problems flashed when the query is not valid."""
    try:
        filters = case_queries.read_checked_filters(db.session, request.args)
        return filters, True
    except InvalidFields as exc:
        for name, problem in exc.errors.items():
            flash(f"{FIELD_LABELS.get(name, name)}: {translate_error(problem)}", "error")
        return case_queries.CaseFilters(), False


def filter_choices():
    """What the filter form offers: stages, routes, khu vực values, categories, officers."""
    return {
        "stages": STAGES, "routes": geography.routes_with_length(db.session, include_retired=True),  # old cases keep theirs
        "khu_vuc_values": case_queries.khu_vuc_values(db.session), "categories": CATEGORIES,
        "officers": accounts.list_users(db.session),
    }
