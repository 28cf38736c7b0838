"""Finding a case by what people remember of it, typed on a phone without diacritics: "nguyen van a"
finds "Nguyễn Văn A", "duong so 3" finds "Đường số 3" (đ folded too), "42" finds TL-2026-0042.

Each case keeps `search_text`: its code, owner's name and phone, address, khu vực and description,
folded (lower case, no diacritics, đ → d). A mapper hook refreshes it on every insert and update, so
the full-text index (SQLite FTS5 / PostgreSQL tsvector, both built by migration 0022 and queried
through domain/geo/spatial) is always in step. Every word must be there; the last one may be half typed
("nguyen van an" finds "Nguyễn Văn Ánh").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ...models import Violation
from ..errors import N_
from ..geo import spatial

MAX_TERMS = 12
MAX_WORD = 40
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str | None) -> str:
    """'Nguyễn Văn Đức' → 'nguyen van duc': lower case, no diacritics, đ as d, any script's digits as 0-9,
    words only."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain.lower()))


def _code_words(code: str) -> str:
    """'TL-2026-0042' → 'tl 2026 0042 42' (the number also without its zeros, as people say it)."""
    words = fold(code).split()
    if words and words[-1].isdigit():
        words.append(str(int(words[-1])))
    return " ".join(words)


def _phone_words(phone: str | None) -> str:
    """'+84 909 123 456' → '84 909 123 456 84909123456 0909 0909123456': its groups, its digits run together,
    and the number as dialled inside Việt Nam (0… for +84…), so it is found however it is typed."""
    groups = fold(phone).split()
    joined = "".join(groups)
    words = groups + ([joined] if len(groups) > 1 else [])
    if joined.startswith("84") and (phone or "").lstrip().startswith("+"):
        local = ["0" + groups[1]] + groups[2:] if groups[0] == "84" and len(groups) > 1 else []
        words += local + ["0" + joined[2:]]
    return " ".join(dict.fromkeys(words))


def search_text_of(case: Violation) -> str:
    """What the search index holds for a case."""
    parts = [_code_words(case.code or ""), fold(case.owner_name), _phone_words(case.owner_phone), fold(case.address),
             fold(case.khu_vuc), fold(case.description)]
    return " ".join(part for part in parts if part)


def _refresh(_mapper, _connection, case: Violation) -> None:
    case.search_text = search_text_of(case)


def install() -> None:
    """Keep every case's search text in step with it, whoever writes (once per process)."""
    if not event.contains(Violation, "before_insert", _refresh):
        event.listen(Violation, "before_insert", _refresh)
        event.listen(Violation, "before_update", _refresh)


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, as folded words, and the case number it may be ("42", "0042", "tl-2026-0042")."""

    words: tuple[str, ...]
    number: int | None

    def __bool__(self) -> bool:
        return bool(self.words)


def query_problem(text: str | None) -> str | None:
    """Why a search box's text cannot be searched as typed (a msgid), or None: nothing searchable in it, a
    word too long, too many words. Searching only part of it would show more cases than asked for."""
    if not (text or "").strip():
        return None
    words = fold(text).split()
    if not words:
        return N_("Type letters or digits to search for.")
    if any(len(word) > MAX_WORD for word in words):
        return N_("A word of the search is longer than 40 characters.")
    if len(words) > MAX_TERMS:
        return N_("Search with at most 12 words.")
    return None


def read_query(text: str | None) -> SearchQuery:
    """The folded words of a search box (checked first with query_problem)."""
    words = tuple(fold(text).split()[:MAX_TERMS])
    number = int(words[-1]) if words and words[-1].isdigit() and len(words[-1]) <= 6 and (
        len(words) == 1 or (len(words) == 3 and words[1].isdigit())) else None
    return SearchQuery(words, number)


def matches(session: Session, query: SearchQuery) -> ColumnElement[bool]:
    """Cases whose search text has every word (the last as a word's start). A case's number is a word of its
    search text, with and without its zeros ("0042", "42"), so the index finds codes too."""
    return spatial.text_matches(session, Violation.id, Violation.search_text, query.words)


def code_first(query: SearchQuery) -> ColumnElement[bool] | None:
    """An ORDER BY term putting the case whose code has the typed number first (None: no number typed)."""
    if query.number is None:
        return None
    return Violation.code.like(f"%-{query.number:04d}").desc()
