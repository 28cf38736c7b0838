"""The inspector's pages on the phone: patrols, visits, violation reports, my day."""
from flask import Blueprint

bp = Blueprint("field", __name__)

from . import views  # noqa: E402,F401
