"""The locks follow their sources (issue 17): every direct dependency of requirements.in is pinned in
requirements.txt, and the development lock never pins another version of what production runs."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalised(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _direct(path):
    names = set()
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_normalised(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]))
    return names


def _pins(path):
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if match:
            pins[_normalised(match.group(1))] = match.group(2)
    return pins


def test_every_direct_dependency_is_pinned_and_the_dev_lock_agrees_with_production():
    app, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    assert _direct("requirements.in") <= set(app), _direct("requirements.in") - set(app)
    assert _direct("requirements-dev.in") <= set(dev), _direct("requirements-dev.in") - set(dev)
    assert {name: dev[name] for name in app if name in dev} == {name: app[name] for name in app if name in dev}
    assert set(app) <= set(dev), set(app) - set(dev)  # `make test` runs what production runs
