"""Application logging: one line per event on stderr, each with the id of the request it belongs to
(also sent back as X-Request-ID), so that a failed login, a refusal, an admin change, a PDF renderer
failure or a 500 with its traceback can be found in journald or gunicorn's log."""
import logging
import re
import secrets
import sys

from flask import g, has_request_context, request

LOGGER = "inspect_app"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_installed = []


class OneLineFormatter(logging.Formatter):
    """time level [request id] logger: message, with tracebacks folded onto the same line."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record):
        """The record as one line, every invisible character written out (a user name or file name
        with escape codes or line breaks cannot forge log lines or drive a terminal)."""
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        text = super().format(record).replace("\r\n", "\n").replace("\n", " | ")
        return "".join(ch if ch.isprintable() else f"\\x{{{ord(ch):x}}}" for ch in text)


def _record_factory(previous):
    def make(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return record
    return make


def init_app(app):
    """Name every request, and send the app's log to stderr one line per event (once per process)."""
    if not _installed:
        logging.setLogRecordFactory(_record_factory(logging.getLogRecordFactory()))
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())
        logger = logging.getLogger(LOGGER)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        _installed.append(handler)

    @app.before_request
    def name_the_request():
        given = request.headers.get("X-Request-ID", "")  # nginx's $request_id, when it sends one
        g.request_id = given if _REQUEST_ID.match(given) else secrets.token_hex(6)

    @app.after_request
    def tell_the_request_id(response):
        if "request_id" in g:
            response.headers.setdefault("X-Request-ID", g.request_id)
        return response
