"""The weekly enforcement list: the page (which prints on A4), its PDF, XLSX and CSV."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402,F401
