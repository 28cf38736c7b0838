"""The morning reminder as an e-mail: Vietnamese subject and plain-text body from templates/email/digest.txt,
with absolute links to the app at PUBLIC_URL (the command has no request to take the address from)."""
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext

from ..domain.cases.case_queries import CaseFilters
from ..domain.cases.digest import Digest
from ..domain.errors import N_, InvalidInput


def public_url(config) -> str:
    """The address people open the app at (PUBLIC_URL), needed for the links in a mail."""
    url = (config.get("PUBLIC_URL") or "").rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(N_("Set PUBLIC_URL in instance/config.py (the address people open the app at, "
                              "e.g. https://kiemtra.thoilong.vn): the reminders' links need it."))
    return url


def digest_message(digest: Digest, sender: str) -> EmailMessage:
    """One user's reminder as a message ready to send (Vietnamese: what the ward's users read)."""
    with current_app.test_request_context(base_url=public_url(current_app.config) + "/"), force_locale("vi"):
        filters = CaseFilters(due_by=digest.due_by, officer_id=digest.user.id if digest.officer_only else None)
        body = render_template("email/digest.txt", digest=digest,
                               all_due_url=url_for("cases.index", _external=True, **filters.as_query()))
        subject = gettext("[Construction order] To do on %(day)s: %(n)s", day=digest.day.strftime("%d/%m/%Y"),
                          n=digest.items)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = digest.user.email
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office answers to a robot
    message.set_content(body)
    return message
