"""Admin views (read-only in this version; editing comes with the administration issue)."""
from flask import render_template

from ..auth.access import role_required
from ..domain import accounts, geography
from ..domain.roles import ADMIN
from ..extensions import db
from . import bp


@bp.route("/")
@role_required(ADMIN)
def index():
    """Users and routes, for the office administrator."""
    return render_template(
        "admin/index.html",
        users=accounts.list_users(db.session),
        routes=geography.routes_with_length(db.session),
        ward=geography.get_ward(db.session),
    )
