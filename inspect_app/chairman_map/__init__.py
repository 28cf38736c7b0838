"""The chairman's violation map and overview."""
from flask import Blueprint

bp = Blueprint("map", __name__)

from . import views  # noqa: E402,F401
