"""Field work: patrols with their GPS points, visits, violation cases and photos."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement
from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .vocabulary import PatrolStatus, Stage, VisitOutcome, allowed

if TYPE_CHECKING:
    from .case_event import CaseEvent
    from .geography import Route
    from .user import User


class Patrol(db.Model):
    """An inspector walking or riding a route while the phone records the track."""

    __tablename__ = "patrols"
    __table_args__ = (allowed("status", PatrolStatus, "ck_patrols_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by_system: Mapped[bool] = mapped_column(Boolean, default=False)
    track: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTILINESTRING", srid=4326, spatial_index=True), nullable=True
    )  # segments; gaps between
    track_length_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    points_used: Mapped[int] = mapped_column(Integer, default=0)
    points_rejected: Mapped[int] = mapped_column(Integer, default=0)

    inspector: Mapped[User] = relationship("User")
    route: Mapped[Route] = relationship("Route")


class TrackPoint(db.Model):
    """One GPS fix of a patrol; poor fixes are kept but not used for the track."""

    __tablename__ = "track_points"
    __table_args__ = (UniqueConstraint("patrol_id", "recorded_at", name="uq_track_points_patrol_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id", ondelete="CASCADE"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    usable: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Violation(db.Model):
    """A violation case (vụ vi phạm): where, who, what, and its current stage."""

    __tablename__ = "violations"
    __table_args__ = (
        UniqueConstraint("code", name="uq_violations_code"),
        CheckConstraint("area_m2 IS NULL OR area_m2 >= 0", name="ck_violations_area"),
        CheckConstraint("floors IS NULL OR floors >= 0", name="ck_violations_floors"),
        allowed("stage", Stage, "ck_violations_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(16), default=Stage.DETECTED, index=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    patrol_id: Mapped[int | None] = mapped_column(ForeignKey("patrols.id"), nullable=True, index=True)
    route_id: Mapped[int | None] = mapped_column(ForeignKey("routes.id"), nullable=True, index=True)
    # None: reported with the position unknown (no GPS, no pin); never a made-up point.
    position: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    outside_ward: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(300), default="")
    khu_vuc: Mapped[str] = mapped_column(String(100), default="")
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_phone: Mapped[str] = mapped_column(String(20), default="")
    # The facts documents need (domain/cases/case_facts.py); empty until known, changed only as a case step.
    owner_id_number: Mapped[str] = mapped_column(String(20), default="", server_default="")
    owner_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    plot_number: Mapped[str] = mapped_column(String(20), default="", server_default="")
    map_sheet: Mapped[str] = mapped_column(String(20), default="", server_default="")
    works_kind: Mapped[str] = mapped_column(String(100), default="", server_default="")
    works_state: Mapped[str] = mapped_column(String(20), default="", server_default="")
    permit_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    permit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    area_m2: Mapped[float | None] = mapped_column(Float, nullable=True)
    floors: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Lifecycle (set only by domain.cases.case_actions, from the events)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The day the deadline's period is counted from (None: given by hand, or set before it was kept):
    # with due_date it tells whether the period runs over days the office has not confirmed yet.
    due_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Last day of the limitation period for a penalty (clocks.py), set at the report; None before migration 0015.
    limitation_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_rule: Mapped[str] = mapped_column(String(40), default="", server_default="")
    due_citation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    outcome: Mapped[str] = mapped_column(String(20), default="", server_default="")
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Code, owner, phone, address, khu vực and description folded for search (domain/cases/case_search.py
    # keeps it in step; migration 0022 indexes it for full-text search on both databases).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    __mapper_args__ = {"version_id_col": version}

    inspector: Mapped[User] = relationship("User", foreign_keys=[inspector_id])
    officer: Mapped[User] = relationship("User", foreign_keys=[officer_id])
    route: Mapped[Route | None] = relationship("Route")
    patrol: Mapped[Patrol | None] = relationship("Patrol")
    photos: Mapped[list[Photo]] = relationship("Photo", back_populates="violation", order_by="Photo.id")
    visits: Mapped[list[Visit]] = relationship("Visit", back_populates="violation", order_by="Visit.visited_at")
    events: Mapped[list[CaseEvent]] = relationship("CaseEvent", back_populates="violation", order_by="CaseEvent.seq")


class Visit(db.Model):
    """A site visit (lượt kiểm tra), inside or outside a patrol."""

    __tablename__ = "visits"
    __table_args__ = (allowed("outcome", VisitOutcome, "ck_visits_outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    patrol_id: Mapped[int | None] = mapped_column(ForeignKey("patrols.id"), nullable=True, index=True)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    outside_ward: Mapped[bool] = mapped_column(Boolean, default=False)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    inspector: Mapped[User] = relationship("User")
    patrol: Mapped[Patrol | None] = relationship("Patrol")
    violation: Mapped[Violation | None] = relationship("Violation", back_populates="visits")
    photos: Mapped[list[Photo]] = relationship("Photo", back_populates="visit", order_by="Photo.id")


class Photo(db.Model):
    """A photo stored under a random name in the instance folder, with its SHA-256."""

    __tablename__ = "photos"
    __table_args__ = (CheckConstraint("(violation_id IS NOT NULL) OR (visit_id IS NOT NULL)", name="ck_photos_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    # In photo URLs: random (from the server), so photos cannot be found by counting.
    public_id: Mapped[str | None] = mapped_column(String(32), unique=True, index=True, nullable=True)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"), nullable=True, index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), nullable=True, index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", name="fk_photos_event_id_case_events"), nullable=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    thumb_name: Mapped[str] = mapped_column(String(80))
    media_type: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exif_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    exif_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Where taken_at/exif_* come from: "file" (the file received), "phone" (read on the phone from the
    # original before it was made smaller, which drops EXIF), "" (nobody knows).
    exif_source: Mapped[str] = mapped_column(String(8), default="", server_default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    violation: Mapped[Violation | None] = relationship("Violation", back_populates="photos")
    visit: Mapped[Visit | None] = relationship("Visit", back_populates="photos")
    event: Mapped[CaseEvent | None] = relationship("CaseEvent", back_populates="photos")


class CaseCounter(db.Model):
    """The last case number given for a prefix and year (TL-2026-0042)."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
