"""Violation categories for the pick-list (Decree 16/2022 Điều 16 and related)."""
from dataclasses import dataclass

from ..errors import N_


@dataclass(frozen=True)
class Category:
    """One kind of violation, with the legal basis shown beside it."""

    key: str
    label: str
    citation: str
    # The act as an official document words it (always Vietnamese, whatever the reader's language;
    # to confirm against the decree's own wording: docs/DOCUMENTS.md).
    act: str = ""
    # Works that could be permitted get the Article 81 route (time to obtain a permit); encroachment,
    # building against the plan or on land not for building cannot be. To confirm: NĐ 16/2022 Điều 81.
    permit_possible: bool = False


# Order is the order of the pick-list. Labels are msgids, translated where shown.
CATEGORIES = (
    Category("no_permit", N_("Building without a permit"), "NĐ 16/2022 Đ.16", permit_possible=True,
             act="Tổ chức thi công xây dựng công trình không có giấy phép xây dựng mà theo quy định phải có giấy phép"),
    Category("deviates_from_permit", N_("Building not as permitted"), "NĐ 16/2022 Đ.16", permit_possible=True,
             act="Tổ chức thi công xây dựng công trình sai nội dung giấy phép xây dựng được cấp"),
    Category("against_plan", N_("Against the approved plan"), "NĐ 16/2022 Đ.16",
             act="Xây dựng công trình không phù hợp với quy hoạch xây dựng được duyệt"),
    Category("wrong_land_use", N_("On land not for building (e.g. farmland)"), "NĐ 16/2022 Đ.16; NĐ 123/2024",
             act="Xây dựng công trình trên đất không được phép xây dựng (sử dụng đất không đúng mục đích)"),
    Category("encroachment", N_("Encroaching on public land or a corridor"), "NĐ 123/2024",
             act="Xây dựng công trình lấn chiếm đất công, hành lang bảo vệ công trình"),
    Category("no_screening", N_("No screening, falling materials"), "NĐ 16/2022 Đ.16",
             act="Thi công xây dựng không che chắn hoặc để rơi vãi vật liệu xây dựng"),
    Category("continued_after_record", N_("Continued building after the record"), "NĐ 16/2022 Đ.16 k.12",
             act="Tiếp tục thi công xây dựng sau khi đã bị lập biên bản vi phạm hành chính và yêu cầu dừng thi công"),
    Category("other", N_("Other"), "", act=""),
)
CATEGORY_KEYS = tuple(c.key for c in CATEGORIES)
BY_KEY = {c.key: c for c in CATEGORIES}
