"""Construction-order inspection for Phường Thới Long: the application factory."""
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import logs
from .config import load_config
from .extensions import babel, compress, csrf, db, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config=None):
    """Build the app: config, extensions, blueprints, error pages and CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    logs.init_app(app)  # before anything touches app.logger, so Flask adds no second handler
    load_config(app, test_config)
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # nginx on the same machine: the phone's address and https come from its headers (one hop).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["int"] = DatabaseIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """<int:…> in URLs: ids beyond the databases' integer column (2**31 - 1) do not match, so they are
    a 404 like any unknown id instead of an overflow inside SQLite or PostgreSQL."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_extensions(app):
    """Bind the unbound extensions to this app."""
    from . import i18n
    from .domain.geo.spatial.engine import engine_options, install_connection_hooks

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DB_POOL_SIZE"], app.config["DB_MAX_OVERFLOW"],
                         app.config["DB_BUSY_TIMEOUT_S"]),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    db.init_app(app)
    with app.app_context():
        install_connection_hooks(db.engine)
    _seal_cases_on_commit()
    _keep_search_text()
    _declare_writing_requests(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, compare_type=True)
    csrf.init_app(app)
    compress.init_app(app)
    i18n.init_app(app, babel)
    from .auth.access import init_login_manager

    init_login_manager(app, login_manager)
    from . import security

    security.init_app(app)
    from . import templating

    templating.init_app(app)


_SEALING = []


def _seal_cases_on_commit():
    """Every commit that touched a case seals it (domain/cases/audit_anchors.py), whichever app commits."""
    if _SEALING:
        return  # one listener for the shared session, however many apps a process builds
    from flask import current_app

    from .domain.cases import audit_anchors

    audit_anchors.install(db.session, lambda: current_app.config["AUDIT_KEY"])
    _SEALING.append(True)


def _keep_search_text():
    """Every write of a case refreshes its folded search text (domain/cases/case_search.py)."""
    from .domain.cases import case_search

    case_search.install()


def _declare_writing_requests(app):
    """Requests that change data take SQLite's write lock up front (see spatial/engine.py)."""
    from flask import g, request

    from .domain.geo.spatial.engine import expect_writes, reset_expect_writes

    @app.before_request
    def declare_writes():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            g.writes_token = expect_writes(True)

    @app.teardown_request
    def end_writes(_error):
        token = g.pop("writes_token", None)
        if token is not None:
            reset_expect_writes(token)


def register_blueprints(app):
    """One blueprint per job."""
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .chairman_map import bp as map_bp
    from .documents import bp as documents_bp
    from .field import bp as field_bp
    from .main import bp as main_bp
    from .reports import bp as reports_bp
    from .stats import bp as stats_bp
    from .vendor import bp as vendor_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(field_bp, url_prefix="/field")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(map_bp, url_prefix="/map")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(stats_bp)  # /stats, /stats.xlsx, /stats/month(.pdf)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(vendor_bp, url_prefix="/vendor")
    app.register_blueprint(documents_bp)  # /cases/<id>/documents/…, /cases/<id>/dossier.*, /documents, /admin/documents


def register_errorhandlers(app):
    """Error pages in the user's language; JSON for the API."""
    from .errors import init_app as init_errors

    init_errors(app)


def register_commands(app):
    """`flask users …`, `flask geo …`, `flask seed-demo`."""
    from .operations.cli import init_app as init_cli

    init_cli(app)
