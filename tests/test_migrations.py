"""One migration chain for both databases: up, down, up again with data, and no drift."""
import contextlib
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString
from sqlalchemy import Column, Integer, MetaData, create_engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from inspect_app.domain.geo import geography, spatial
from inspect_app.domain.geo.spatial.schema import include_object
from inspect_app.extensions import db
from inspect_app.models import Route

from .conftest import ON_POSTGIS, POSTGIS_URL, make_app


@contextlib.contextmanager
def fresh_database(tmp_path):
    """URL of a new, empty database of the kind under test, removed afterwards."""
    if not ON_POSTGIS:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    name = f"inspect_mig_{uuid.uuid4().hex[:10]}"
    server = create_engine(POSTGIS_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = POSTGIS_URL.rsplit("/", 1)[0] + "/" + name
    scratch = create_engine(url, isolation_level="AUTOCOMMIT")
    with scratch.connect() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    scratch.dispose()
    try:
        yield url
    finally:
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


def _add_route(code):
    db.session.add(Route(code=code, name=code, geom=from_shape(LineString([(105.59, 10.17), (105.60, 10.18)]), srid=4326)))
    db.session.commit()


def _app_tables():
    return {t for t in inspect(db.engine).get_table_names() if t in {"users", "wards", "routes", "alembic_version"}}


def _drift(metadata):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_downgrade_upgrade_with_data(tmp_path):
    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            assert {"users", "wards", "routes"} <= _app_tables()
            _add_route("OLD")
            downgrade(revision="base")
            assert _app_tables() <= {"alembic_version"}
            upgrade()
            # The spatial index and geometry registration must survive the round trip:
            # inserting and querying through the index is what breaks when they do not.
            _add_route("NEW")
            found = geography.routes_within(db.session, 105.595, 10.175, 200)
            assert [r.code for r in found] == ["NEW"]
            assert _drift(db.metadata) == []
            db.session.remove()
            db.engine.dispose()


def _head_revision():
    """The last revision of the one migration chain (read from migrations/, not written here)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()


def _insert_inspector_by_sql():
    """An inspector written with plain SQL (columns of migration 0008 on); returns its id."""
    db.session.execute(text("INSERT INTO users (username, full_name, role, password_hash, active, created_at, "
                            "must_change_password) VALUES ('kiemtra', '', 'inspector', 'x', :yes, :now, :no)"),
                       {"yes": True, "no": False, "now": "2026-11-20 01:00:00"})
    return db.session.execute(text("SELECT id FROM users")).scalar()


def _insert_case_by_sql(code, user_id):
    """A case written with plain SQL, so that it works at an older schema too."""
    db.session.execute(text(
        "INSERT INTO violations (client_uuid, code, stage, detected_at, inspector_id, officer_id, position, "
        "outside_ward, address, khu_vuc, owner_name, owner_phone, category, description, created_at) VALUES "
        "(:uuid, :code, 'detected', :now, :user, :user, ST_GeomFromText('POINT(105.5975 10.1775)', 4326), "
        ":no, '', '', '', '', 'other', '', :now)"
    ), {"uuid": str(uuid.uuid4()), "code": code, "now": "2026-11-20 01:00:00",
        "user": user_id, "no": False})
    db.session.commit()


def test_spatial_tables_with_data_survive_each_migration_step(tmp_path):
    """The lifecycle migration adds columns to violations (a spatial table): down and up with rows in it."""
    from inspect_app.models import Violation

    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="ab23928e7875")
            # Plain SQL: the model has columns this older schema does not.
            db.session.execute(text("INSERT INTO users (username, full_name, role, password_hash, active, created_at) "
                                    "VALUES ('kiemtra', '', 'inspector', 'x', :yes, :now)"),
                               {"yes": True, "now": "2026-11-20 01:00:00"})
            user_id = db.session.execute(text("SELECT id FROM users WHERE username = 'kiemtra'")).scalar()
            db.session.commit()
            _insert_case_by_sql("OLD-1", user_id)
            upgrade()
            _insert_case_by_sql("NEW-1", user_id)
            downgrade(revision="ab23928e7875")
            _insert_case_by_sql("OLD-2", user_id)
            upgrade()
            near = spatial.within_distance(db.session, Violation.position, 105.5975, 10.1775, 10)
            codes = db.session.scalars(select(Violation.code).where(near).order_by(Violation.code)).all()
            assert codes == ["NEW-1", "OLD-1", "OLD-2"]
            assert db.session.scalar(select(Violation.version).where(Violation.code == "OLD-2")) == 1
            assert _drift(db.metadata) == []
            db.session.remove()
            db.engine.dispose()


def test_models_and_migrations_agree(app):
    with app.app_context():
        assert _drift(db.metadata) == []


def _named_constraints_in_database():
    """(table, name) of every primary key, unique and foreign key constraint the database names."""
    if ON_POSTGIS:
        return set(db.session.execute(text(
            "SELECT rel.relname, con.conname FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
            "JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f')"
        )).all())
    import re
    found = set()
    for table, sql in db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all():
        found |= {(table, name) for name in re.findall(r'CONSTRAINT\s+"?(\w+)"?\s+(?:PRIMARY|UNIQUE|FOREIGN)', sql or "")}
    return found


def test_constraints_are_named_by_the_metadata_convention_in_the_database(app):
    """extensions.NAMING_CONVENTION names what migrations create (a later migration can drop them by name)."""
    with app.app_context():
        expected = {(table.name, constraint.name) for table in db.metadata.sorted_tables
                    for constraint in table.constraints
                    if type(constraint).__name__ in ("PrimaryKeyConstraint", "UniqueConstraint", "ForeignKeyConstraint")}
        assert all(name and name.split("_")[0] in ("pk", "uq", "fk") for _, name in expected), expected
        actual = {(table, name) for table, name in _named_constraints_in_database() if table in db.metadata.tables}
        unnamed = expected - actual
        if not ON_POSTGIS:
            # SQLite: a column added later (ALTER TABLE … ADD) keeps its foreign key without a name; it is there.
            assert unnamed == {("case_events", "fk_case_events_officer_id_users")}, unnamed
            keys = db.session.execute(text("PRAGMA foreign_key_list(case_events)")).all()
            assert any(row[2] == "users" and row[3] == "officer_id" for row in keys)
        else:
            assert unnamed == set()
        assert actual - expected == set()


def test_drift_check_notices_a_model_change(app):
    """Control for the test above: a column missing from the migrations is reported."""
    changed = MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("phone_extension", Integer, nullable=True))
    with app.app_context():
        diff = _drift(changed)
    assert any(op[0] == "add_column" and op[3].name == "phone_extension" for op in diff)


def _insert_patrol_by_sql(user_id, route_id, wkt):
    db.session.execute(text(
        "INSERT INTO patrols (client_uuid, inspector_id, route_id, status, started_at, ended_by_system, track, "
        "points_used, points_rejected) VALUES (:uuid, :user, :route, 'ended', :now, :no, "
        "ST_GeomFromText(:wkt, 4326), 0, 0)"
    ), {"uuid": str(uuid.uuid4()), "user": user_id, "route": route_id, "now": "2026-11-20 01:00:00", "no": False,
        "wkt": wkt})
    db.session.commit()


def _tracks():
    found = db.session.execute(text("SELECT ST_AsText(track) FROM patrols ORDER BY id")).scalars().all()
    db.session.commit()  # no read transaction left open while a migration writes
    return found


def test_patrol_tracks_become_segments_and_back_with_rows_in_the_table(tmp_path):
    """The segments migration retypes a spatial column: tracks, registration and index survive both ways."""
    from inspect_app.models import Patrol

    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="a9b8c7d6e5f4")
            db.session.execute(text("INSERT INTO users (username, full_name, role, password_hash, active, created_at, "
                                    "must_change_password) VALUES ('kiemtra', '', 'inspector', 'x', :yes, :now, :no)"),
                               {"yes": True, "no": False, "now": "2026-11-20 01:00:00"})
            db.session.execute(text("INSERT INTO routes (code, name, name_en, corridor_m, geom, verified, source, created_at, "
                                    "updated_at) VALUES ('R1', 'R1', '', 50, ST_GeomFromText('LINESTRING(105.59 10.17, "
                                    "105.6 10.18)', 4326), :no, '', :now, :now)"),
                               {"no": False, "now": "2026-11-20 01:00:00"})
            db.session.commit()
            user_id = db.session.execute(text("SELECT id FROM users")).scalar()
            route_id = db.session.execute(text("SELECT id FROM routes")).scalar()
            _insert_patrol_by_sql(user_id, route_id, "LINESTRING(105.59 10.17, 105.6 10.18)")
            upgrade()
            assert [t.replace(" ", "") for t in _tracks()] == ["MULTILINESTRING((105.5910.17,105.610.18))"]
            _insert_patrol_by_sql(user_id, route_id, "MULTILINESTRING((105.59 10.17, 105.591 10.171), "
                                                     "(105.599 10.179, 105.6 10.18))")
            near = spatial.within_distance(db.session, Patrol.track, 105.5995, 10.1795, 50)
            assert db.session.scalar(select(func.count()).select_from(Patrol).where(near)) == 2
            db.session.commit()
            downgrade(revision="a9b8c7d6e5f4")
            assert [t.replace(" ", "") for t in _tracks()] == [
                "LINESTRING(105.5910.17,105.610.18)", "LINESTRING(105.5910.17,105.59110.171,105.59910.179,105.610.18)"]
            upgrade()
            _insert_patrol_by_sql(user_id, route_id, "MULTILINESTRING((105.59 10.17, 105.6 10.18))")
            assert db.session.scalar(select(func.count()).select_from(Patrol).where(near)) == 3
            assert _drift(db.metadata) == []
            db.session.remove()
            db.engine.dispose()


def test_a_case_may_have_no_position_and_downgrading_refuses_to_invent_one(tmp_path):
    """0010 drops NOT NULL on violations.position (SQLite: its schema text edited, no rebuild)."""
    from inspect_app.models import Violation

    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="b1c2d3e4f5a6")
            user_id = _insert_inspector_by_sql()
            db.session.commit()
            _insert_case_by_sql("OLD-1", user_id)
            upgrade()
            db.session.execute(text("UPDATE violations SET position = NULL WHERE code = 'OLD-1'"))
            db.session.commit()
            _insert_case_by_sql("NEW-1", user_id)
            with pytest.raises(SystemExit):  # Flask-Migrate reports the RuntimeError naming OLD-1 and exits
                downgrade(revision="b1c2d3e4f5a6")
            db.session.remove()
            # PostgreSQL rolls the whole downgrade back (still at head); SQLite keeps the steps above 0010.
            # Either way 0010 was not undone and the case still has no position.
            assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() in (
                "c3d4e5f6a7b8", _head_revision())
            assert db.session.execute(text("SELECT position FROM violations WHERE code = 'OLD-1'")).scalar() is None
            db.session.commit()  # no read transaction left open while the migration writes
            upgrade()
            db.session.execute(text("UPDATE violations SET position = ST_GeomFromText('POINT(105.5975 10.1775)', 4326) "
                                    "WHERE code = 'OLD-1'"))
            db.session.commit()
            downgrade(revision="b1c2d3e4f5a6")
            with pytest.raises(IntegrityError):  # NOT NULL again
                db.session.execute(text("UPDATE violations SET position = NULL WHERE code = 'OLD-1'"))
            db.session.rollback()
            upgrade()
            near = spatial.within_distance(db.session, Violation.position, 105.5975, 10.1775, 10)
            assert db.session.scalars(select(Violation.code).where(near).order_by(Violation.code)).all() == ["NEW-1", "OLD-1"]
            assert _drift(db.metadata) == []
            db.session.remove()
            db.engine.dispose()


def _case_stage_write(code, stage):
    db.session.execute(text("UPDATE violations SET stage = :stage WHERE code = :code"), {"stage": stage, "code": code})


def test_the_database_refuses_a_stage_outside_the_vocabulary_and_the_upgrade_names_rows_that_break_it(tmp_path):
    """0019: CHECK constraints generated from the StrEnums, added in place on both databases (SQLite: schema
    text edited, the spatial table still works); an existing row that breaks them stops the upgrade."""
    from inspect_app.models import Violation

    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="f2a3b4c5d6e7")
            user_id = _insert_inspector_by_sql()
            _insert_case_by_sql("OLD-1", user_id)
            _case_stage_write("OLD-1", "xong")  # possible before 0019
            db.session.commit()
            with pytest.raises(SystemExit):  # Flask-Migrate reports the RuntimeError naming the row and exits
                upgrade()
            db.session.remove()
            _case_stage_write("OLD-1", "warning")
            db.session.commit()
            upgrade()
            for bad in ("xong", "Warning", ""):
                with pytest.raises(IntegrityError):
                    _case_stage_write("OLD-1", bad)
                    db.session.flush()
                db.session.rollback()
            with pytest.raises(IntegrityError):
                db.session.execute(text("UPDATE violations SET area_m2 = -5 WHERE code = 'OLD-1'"))
            db.session.rollback()
            _case_stage_write("OLD-1", "stop_work")  # every stage of the vocabulary is still allowed
            _insert_case_by_sql("NEW-1", user_id)  # and the spatial table still takes rows and finds them
            db.session.commit()
            near = spatial.within_distance(db.session, Violation.position, 105.5975, 10.1775, 10)
            assert db.session.scalars(select(Violation.code).where(near).order_by(Violation.code)).all() == ["NEW-1", "OLD-1"]
            assert _drift(db.metadata) == []
            db.session.commit()  # no read transaction left open while the migration writes
            downgrade(revision="f2a3b4c5d6e7")
            _case_stage_write("OLD-1", "xong")  # the constraint went with the downgrade
            db.session.rollback()
            upgrade()
            db.session.remove()
            db.engine.dispose()
