"""How the ward's official documents write dates, money and the place (Nghị định 30/2020/NĐ-CP)."""
from __future__ import annotations

from datetime import date

DOTS = "…………"

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", " nghìn", " triệu", " tỷ")


def place_name(ward_name: str) -> str:
    """'Thới Long' from 'Phường Thới Long' (the place in 'Thới Long, ngày … tháng … năm …')."""
    for prefix in ("Phường ", "Xã ", "Thị trấn "):
        if ward_name.startswith(prefix):
            return ward_name[len(prefix):]
    return ward_name


def day(value: date | None) -> str:
    """dd/mm/yyyy, or empty."""
    return value.strftime("%d/%m/%Y") if value else ""


def money(amount: int | None) -> str:
    """60.000.000 (Vietnamese thousands separator), or empty."""
    return f"{amount:,}".replace(",", ".") if amount is not None else ""


def date_parts(value: date | None) -> tuple[str, str, str]:
    """(day, month, year) as an official document writes them: a day under 10 and the months 1 and 2
    with a leading zero (Nghị định 30/2020, Phụ lục I); dots for a date not known."""
    if value is None:
        return DOTS, DOTS, DOTS
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{value.day:02d}", month, str(value.year)


def date_line(place: str, value: date | None) -> str:
    """'Thới Long, ngày 02 tháng 11 năm 2026' (dots where the date is not known yet)."""
    d, m, y = date_parts(value)
    return f"{place}, ngày {d} tháng {m} năm {y}"


def _three_digits(number: int, full: bool) -> str:
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0 and units and (full or hundreds):
        words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    elif tens > 1:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens > 0:
            words.append("lăm")
        elif units == 4 and tens > 1:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int | None) -> str:
    """'Sáu mươi triệu đồng' for 60000000: the amount as a decision writes it in words."""
    if amount is None:
        return ""
    if amount == 0:
        return "Không đồng"
    groups = []
    rest = amount
    while rest:
        groups.append(rest % 1000)
        rest //= 1000
    words = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        scale = _GROUPS[index % 3] if index % 3 else ("" if index == 0 else " tỷ" * (index // 3))
        if index % 3 and index >= 3:
            scale += " tỷ" * (index // 3)
        words.append(_three_digits(group, full=index < len(groups) - 1) + scale)
    text = " ".join(words)
    return text[0].upper() + text[1:] + " đồng"
