"""Thống kê: the trend in SVG charts with their numbers, as XLSX, and the monthly report (A4, PDF)."""
from flask import Blueprint

bp = Blueprint("stats", __name__)

from . import views  # noqa: E402,F401
