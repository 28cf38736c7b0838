"""Error pages in the user's language, JSON for API calls; the session is rolled back."""
import errno

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from .auth.access import wants_json
from .domain.errors import (
    AccountInactive,
    Conflict,
    DomainError,
    Forbidden,
    InvalidFields,
    InvalidInput,
    NeedsConfirmation,
    NotFound,
)
from .domain.geo.spatial.engine import expect_writes, is_busy_error, is_disk_full_error
from .extensions import db
from .i18n import translate_error

MESSAGES = {
    400: lambda: gettext("The request could not be understood."),
    403: lambda: gettext("You do not have permission to open this page."),
    404: lambda: gettext("Page not found."),
    405: lambda: gettext("This action is not allowed here."),
    413: lambda: gettext(
        "The upload is too large: at most %(mb)s MB at once. Send fewer or smaller photos.",
        mb=(current_app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024),
    ),
    500: lambda: gettext("Something went wrong on the server. Your data was not changed; please try again."),
}
DOMAIN_STATUS = (
    (InvalidFields, 400),
    (InvalidInput, 400),
    (NeedsConfirmation, 409),
    (Conflict, 409),
    (NotFound, 404),
    (Forbidden, 403),
    (AccountInactive, 403),
)


def domain_status(error):
    """The HTTP status for a domain error."""
    for kind, status in DOMAIN_STATUS:
        if isinstance(error, kind):
            return status
    return 400


def domain_error_payload(error):
    """JSON body for a domain error: the message, and per-field messages when there are some."""
    payload = {"error": translate_error(error)}
    if isinstance(error, InvalidFields):
        payload["fields"] = {name: translate_error(problem) for name, problem in error.errors.items()}
    if isinstance(error, NeedsConfirmation):
        payload["confirm"] = error.kind
    return payload


def _respond(status, message):
    db.session.rollback()
    if wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", status=status, message=message), status


DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


def _disk_full():
    current_app.logger.error("disk full: nothing was saved")
    expect_writes(False)  # the answer only reads
    response, status = _respond(
        507,
        gettext(
            "The server's disk is full: nothing was saved. Your phone keeps what it recorded; please tell the ward's IT person."
        ),
    )
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = "300"  # the outbox waits, it does not set the work aside
    return response


def init_app(app):
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _respond(
            400,
            gettext(
                "The form has expired or did not come from this site (security check failed). Please reload the page and try again."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        status = domain_status(error)
        if status == 403:
            current_app.logger.warning("refused %s %s: %s", request.method, request.path, error)
        if wants_json():
            return jsonify(domain_error_payload(error)), status
        return render_template("errors/error.html", status=status, message=translate_error(error)), status

    @app.errorhandler(OSError)
    def disk_trouble(error):
        """A full disk while writing a photo: 507 with a message; photo_transaction already took back
        the files and the rows, so nothing is half-saved."""
        if getattr(error, "errno", None) not in DISK_FULL_ERRNOS:
            current_app.logger.exception("unexpected system error")
            return _respond(500, MESSAGES[500]())
        return _disk_full()

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """Another write held the database past the wait limit: ask the client to come back, never a 500."""
        if is_disk_full_error(error):
            return _disk_full()
        if not is_busy_error(error):
            current_app.logger.exception("database error")
            return _respond(500, MESSAGES[500]())
        current_app.logger.warning("database busy: %s", error.orig)
        expect_writes(False)  # the answer itself only reads: it must not queue for the write lock again
        response, status = _respond(
            503,
            gettext(
                "The server is busy saving other inspectors' work. Nothing was "
                "saved yet; your phone will try again in a few seconds."
            ),
        )
        response = current_app.make_response((response, status))
        response.headers["Retry-After"] = str(current_app.config["BUSY_RETRY_AFTER_S"])
        return response

    for status, message in MESSAGES.items():
        app.register_error_handler(status, lambda error, status=status, message=message: _respond(status, message()))

    @app.errorhandler(413)
    def too_large(error):
        """Over the upload limit: read what the proxy is still sending first, so that nginx passes on this
        answer in Vietnamese instead of a 502 for a connection closed under it."""
        _drain(request)
        return _respond(413, MESSAGES[413]())


def _drain(req, cap=64 * 1024 * 1024):
    """Read and drop the request's body (at most `cap` bytes)."""
    stream = req.environ.get("wsgi.input")
    remaining = min(req.content_length or 0, cap)
    while stream is not None and remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        remaining -= len(chunk)
