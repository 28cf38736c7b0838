"""Language and time zone: Vietnamese by default, English on request, times in local time."""
from flask import current_app, has_request_context, session
from flask_babel import format_datetime, format_decimal, get_locale, gettext

LANGUAGE_SESSION_KEY = "lang"


def select_locale():
    """The language chosen by the user this session, else the ward's default (Vietnamese)."""
    chosen = session.get(LANGUAGE_SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate_error(error):
    """A DomainError's message in the current language, with its parameters filled in."""
    return gettext(error.message, **error.params)


def role_label(role):
    """A role's name in the current language."""
    from .domain.roles import ROLE_LABELS

    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def init_app(app, babel):
    """Bind Flask-Babel with the locale selector and give templates the formatters."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        get_locale=get_locale, format_datetime=format_datetime, format_decimal=format_decimal, role_label=role_label,
    )
