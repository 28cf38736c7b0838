"""One definition per concept (issue 16 point 7): the ward's local time and weeks live in
domain/ward_time.py, "overdue" in domain/cases/clocks.py, "waiting for the chairman" in
proposals.py. This reads the source, so that a copy written elsewhere fails here."""
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "inspect_app"

# (pattern, the only files where it may appear, what it means)
ONE_PLACE = [
    (r"timedelta\(hours=7\)|get_timezone\(", {"domain/ward_time.py"}, "the ward's UTC offset"),
    (r"isocalendar\(|fromisocalendar\(", {"domain/ward_time.py"}, "ISO week arithmetic"),
    (r"\.weekday\(\)", {"domain/ward_time.py", "domain/cases/deadlines.py"}, "Monday-to-Sunday weeks, weekends"),
    (r"due_date\s*<[^=]|limitation_due\s*<", {"domain/cases/clocks.py"}, "overdue"),
    (r"answers_event_id\.is_not\(None\)|answers_event_id for e in", {"domain/cases/proposals.py"}, "a waiting proposal"),
]


def _sources():
    for path in sorted(SOURCE.rglob("*.py")):
        yield path.relative_to(SOURCE).as_posix(), path.read_text(encoding="utf-8")


def test_each_concept_is_defined_in_one_module():
    found = []
    for pattern, allowed, meaning in ONE_PLACE:
        for name, text in _sources():
            if name not in allowed and re.search(pattern, text):
                found.append(f"{meaning}: {name} ({pattern})")
    assert found == []


def test_the_patterns_still_find_their_definitions():
    """The check above would pass vacuously if a pattern stopped matching its own module."""
    texts = dict(_sources())
    for pattern, allowed, meaning in ONE_PLACE:
        assert any(re.search(pattern, texts[name]) for name in allowed), meaning
