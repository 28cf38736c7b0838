"""Alembic environment for Flask-Migrate, with GeoAlchemy2's helpers for SpatiaLite and PostGIS."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

import inspect_app.models  # noqa: F401  (every table must be in the metadata)
from inspect_app.domain.geo.spatial.schema import include_object
from inspect_app.models.types import UTCDateTime

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    """The app's engine (Flask-SQLAlchemy 3)."""
    return target_db.engine


def get_metadata():
    """Metadata of the app's models."""
    return target_db.metadata


config.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%"))


def _skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _render_item(type_, obj, autogen_context):
    """Render app-specific column types as plain SQLAlchemy ones, then GeoAlchemy2's."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def _configure_args():
    args = dict(current_app.extensions["migrate"].configure_args)
    args.update(
        include_object=include_object,
        render_item=_render_item,
        process_revision_directives=alembic_helpers.writer.chain(_skip_empty_autogenerate),
    )
    return args


def run_migrations_offline():
    """Emit SQL without a connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=get_metadata(),
                      literal_binds=True, **_configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run against the app's database."""
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **_configure_args())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
