"""The ward and its patrol routes."""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement
from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Ward(db.Model):
    """The ward the app serves: its name, document code prefix and boundary."""

    __tablename__ = "wards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    code_prefix: Mapped[str] = mapped_column(String(10))
    boundary: Mapped[WKBElement | None] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    boundary_name: Mapped[str] = mapped_column(String(200), default="")
    boundary_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    boundary_source: Mapped[str] = mapped_column(Text, default="")
    # The ward's own settings, edited on the admin settings page (JSON text: see domain/cases/ward_settings.py)
    days_off: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    deadline_rules: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    workdays: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")          # make-up working days
    holidays_not_off: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # package days removed
    holidays_confirmed: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # years confirmed
    # The weekly list's title, annex line, number, signer's name and recipients (ward_settings.DocumentSettings).
    document_settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Route(db.Model):
    """A named patrol route, with the corridor width that counts as 'on the route'."""

    __tablename__ = "routes"
    __table_args__ = (CheckConstraint("corridor_m > 0 AND corridor_m <= 1000", name="ck_routes_corridor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    corridor_m: Mapped[int] = mapped_column(Integer, default=50)
    geom: Mapped[WKBElement] = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Retired: no longer offered for new patrols; kept for the history of the patrols made on it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
