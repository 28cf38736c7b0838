"""Home pages per role, the routes page, language choice and the health check."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from . import views  # noqa: E402,F401
from .page_urls import page_urls  # noqa: E402


@bp.app_context_processor
def _page_urls_global():
    """page_urls() in every template: the URLs the scripts read (base.html)."""
    return {"page_urls": page_urls}
