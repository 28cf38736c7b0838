"""Error pages in the user's language, JSON for API calls; the session is rolled back."""
from flask import jsonify, render_template
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from .auth.access import wants_json
from .extensions import db

MESSAGES = {
    400: lambda: gettext("The request could not be understood."),
    403: lambda: gettext("You do not have permission to open this page."),
    404: lambda: gettext("Page not found."),
    405: lambda: gettext("This action is not allowed here."),
    413: lambda: gettext("The upload is too large."),
    500: lambda: gettext("Something went wrong on the server. Your data was not changed; please try again."),
}


def _respond(status, message):
    db.session.rollback()
    if wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app):
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _respond(400, gettext("The form has expired or did not come from this site (security check failed). Please reload the page and try again."))

    for status, message in MESSAGES.items():
        app.register_error_handler(status, lambda error, status=status, message=message: _respond(status, message()))
