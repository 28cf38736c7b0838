"""The official documents and the case file: downloads per step (.docx, .pdf), blank forms, the office's
templates (admin), the case file as PDF and ZIP. The rules live in domain/documents/."""
from flask import Blueprint

bp = Blueprint("documents", __name__)

from . import views  # noqa: E402,F401
