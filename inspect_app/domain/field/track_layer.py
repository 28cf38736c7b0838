"""Patrol tracks as a GIS layer (GPX for GPS tools, GeoJSON): each patrol one feature, its segments as
walked (poor fixes and jumps left out, never a line over a gap) with the time of every point."""
from collections.abc import Sequence
from datetime import datetime

from shapely.geometry import MultiLineString
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Patrol, User
from ..accounts.roles import INSPECTOR
from ..geo.gis_files import Feature, Layer
from ..ward_time import ReportWeek, local_now
from .patrols import PatrolRules, patrol_track

TRACK_FIELDS = ("name", "patrol", "route", "inspector", "inspector_name", "status", "started_at", "ended_at",
                "length_m", "coverage", "points_used", "points_left_out", "gaps")


def patrols_of_week(session: Session, week: ReportWeek, user: User) -> Sequence[Patrol]:
    """The patrols started in the week that the user may see: an inspector their own, others every one."""
    statement = select(Patrol).where(Patrol.started_at >= week.starts_at, Patrol.started_at < week.ends_at)
    if user.role == INSPECTOR:
        statement = statement.where(Patrol.inspector_id == user.id)
    return session.scalars(statement.order_by(Patrol.started_at, Patrol.id)).all()


def tracks_layer(session: Session, patrols: Sequence[Patrol], rules: PatrolRules, name: str) -> Layer:
    """The patrols' tracks rebuilt from their fixes by today's track rules (the stored track, with times)."""
    layer = Layer(name=name, geometry_type="MultiLineString", fields=TRACK_FIELDS, name_field="name",
                  field_types={"started_at": datetime, "ended_at": datetime, "coverage": float, "length_m": float})
    for patrol in patrols:
        track = patrol_track(session, patrol, rules)
        parts = track.timed_lines()
        layer.features.append(Feature(
            MultiLineString([[(f.lon, f.lat) for f in part] for part in parts]) if parts else None,
            {"name": f"{patrol.route.code} {local_now(patrol.started_at):%d/%m/%Y %H:%M}", "patrol": patrol.id,
             "route": patrol.route.code, "inspector": patrol.inspector.username,
             "inspector_name": patrol.inspector.full_name, "status": patrol.status, "started_at": patrol.started_at,
             "ended_at": patrol.ended_at, "length_m": round(track.length_m(), 1), "coverage": patrol.coverage,
             "points_used": track.used, "points_left_out": track.left_out, "gaps": len(track.gaps)},
            times=[[f.recorded_at for f in part] for part in parts],
        ))
    return layer
