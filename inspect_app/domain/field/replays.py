"""A record sent again under the same client UUID: the same content is a harmless repeat; other
content is refused (409) naming what differs, so the phone never believes a second version was saved.
"""
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from geoalchemy2.shape import to_shape

from ..errors import N_, Conflict

# Positions closer than this (degrees, about 1 cm) are the same fix written twice.
_POSITION_TOLERANCE = 1e-7


def _differs(stored, sent):
    if sent is None:
        return False  # the repeat did not say: nothing to compare
    if isinstance(stored, datetime) and isinstance(sent, datetime):
        return abs((stored - sent).total_seconds()) >= 1
    if isinstance(stored, float) or isinstance(sent, float):
        return stored is None or abs(float(stored) - float(sent)) > 1e-9
    return stored != sent


def _position_differs(geometry, lon, lat):
    if lon is None or lat is None:
        return False
    if geometry is None:
        return True
    point = to_shape(geometry)
    return abs(point.x - lon) > _POSITION_TOLERANCE or abs(point.y - lat) > _POSITION_TOLERANCE


def refuse_if_changed(pairs: Iterable[tuple[str, Any, Any]], geometry: Any = None, lon: float | None = None,
                      lat: float | None = None) -> None:
    """Raise Conflict naming each field whose sent value differs from the stored one.

    pairs: [(label msgid, stored value, sent value)]; a sent value of None is not compared.
    """
    changed = [label for label, stored, sent in pairs if _differs(stored, sent)]
    if _position_differs(geometry, lon, lat):
        changed.insert(0, N_("Position"))
    if changed:
        raise Conflict(
            N_("This record was already received with other content (%(fields)s). The first version is kept; "
               "record the change as a new entry."),
            fields=tuple(changed),
        )
