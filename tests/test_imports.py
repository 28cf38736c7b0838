"""Every module of the app imports on its own, first (issue 17): an import circle shows only when the
module in it is the first one imported, as when a test file or a tool imports it alone."""
import importlib
import pkgutil
import sys

import inspect_app


def _modules():
    return sorted(info.name for info in pkgutil.walk_packages(inspect_app.__path__, "inspect_app."))


def test_each_module_imports_first_without_an_import_circle():
    saved = {name: module for name, module in sys.modules.items() if name.startswith("inspect_app")}
    failures = {}
    try:
        for name in _modules():
            for loaded in [n for n in sys.modules if n.startswith("inspect_app")]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except ImportError as exc:
                failures[name] = str(exc)
    finally:
        for loaded in [n for n in sys.modules if n.startswith("inspect_app")]:
            del sys.modules[loaded]
        sys.modules.update(saved)
    assert len(_modules()) > 60
    assert failures == {}
