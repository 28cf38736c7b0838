"""A step's document for this installation: the ward's name and settings, the template in use (an official
document is Vietnamese whatever the reader's language; its wording comes from the domain, not the UI's
catalogue)."""
from flask import current_app
from flask_babel import gettext

from ..domain.cases import ward_settings
from ..domain.cases.events import APPLIED
from ..domain.documents import content, word
from ..domain.documents.forms import form_of
from ..domain.errors import N_, NotFound
from ..domain.geo import geography
from ..extensions import db
from ..models import CaseEvent


def ward_facts():
    """(ward name, document settings) as the office set them."""
    ward = geography.get_ward(db.session)
    return (ward.name if ward is not None else current_app.config["WARD_NAME"]), ward_settings.document_settings_of(ward)


def documented_steps(case):
    """The case's steps whose document the app writes, in order."""
    return [event for event in case.events if event.kind in APPLIED and form_of(event.document_kind) is not None]


def step_of(case, event_id):
    """The case's step with this id whose document the app writes, or NotFound."""
    event = db.session.get(CaseEvent, event_id)
    if event is None or event.violation_id != case.id or event not in documented_steps(case):
        raise NotFound(N_("This document does not exist."))
    return event


def fill(case, event, template=None):
    """The step's document filled (its wording is Vietnamese; the template's version printed when given)."""
    ward_name, settings = ward_facts()
    proposal = db.session.get(CaseEvent, event.answers_event_id) if event.answers_event_id else None
    return content.case_document(case, event, ward_name=ward_name, settings=settings, proposal=proposal,
                                 template_version=template.short_version if template else "")


def missing_text(filled):
    """'the violator's ID number, the plot number' in the reader's language."""
    return ", ".join(filled.missing_labels(gettext))


def step_docx(case, event):
    """(docx bytes, template, filled document) of a step, dots where facts are missing."""
    template = word.current_template(db.session, event.document_kind)
    filled = fill(case, event, template)
    return word.render_docx(template, filled), template, filled


def blank_docx(kind):
    """(docx bytes, template) of a blank form of this kind."""
    if form_of(kind) is None:
        raise NotFound(N_("This document does not exist."))
    template = word.current_template(db.session, kind)
    ward_name, settings = ward_facts()
    return word.render_docx(template, content.blank_document(kind, ward_name=ward_name, settings=settings,
                                                             template_version=template.short_version)), template


def documents_of(case):
    """[(step, form, what is missing in the reader's language)] for the case page."""
    out = []
    for event in documented_steps(case):
        filled = fill(case, event)
        out.append((event, filled.form, filled.missing_labels(gettext)))
    return out
