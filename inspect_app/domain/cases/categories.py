"""Violation categories for the pick-list (Decree 16/2022 Điều 16 and related)."""
from dataclasses import dataclass

from ..errors import N_


@dataclass(frozen=True)
class Category:
    """One kind of violation, with the legal basis shown beside it."""

    key: str
    label: str
    citation: str
    # Works that could be permitted get the Article 81 route (time to obtain a permit); encroachment,
    # building against the plan or on land not for building cannot be. To confirm: NĐ 16/2022 Điều 81.
    permit_possible: bool = False


# Order is the order of the pick-list. Labels are msgids, translated where shown.
CATEGORIES = (
    Category("no_permit", N_("Building without a permit"), "NĐ 16/2022 Đ.16", permit_possible=True),
    Category("deviates_from_permit", N_("Building not as permitted"), "NĐ 16/2022 Đ.16", permit_possible=True),
    Category("against_plan", N_("Against the approved plan"), "NĐ 16/2022 Đ.16"),
    Category("wrong_land_use", N_("On land not for building (e.g. farmland)"), "NĐ 16/2022 Đ.16; NĐ 123/2024"),
    Category("encroachment", N_("Encroaching on public land or a corridor"), "NĐ 123/2024"),
    Category("no_screening", N_("No screening, falling materials"), "NĐ 16/2022 Đ.16"),
    Category("continued_after_record", N_("Continued building after the record"), "NĐ 16/2022 Đ.16 k.12"),
    Category("other", N_("Other"), ""),
)
CATEGORY_KEYS = tuple(c.key for c in CATEGORIES)
BY_KEY = {c.key: c for c in CATEGORIES}
