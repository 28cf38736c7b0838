"""A few values kept by one app process between requests, each under a key that says exactly what it was
made from (a content digest, a version of the rows read): a changed input is a new key, never a stale value."""
import threading
from collections import OrderedDict

from flask import current_app


class KeptValues:
    """The last `size` values put, by key; the least recently used goes first."""

    def __init__(self, size=8):
        self.size = size
        self.lock = threading.Lock()
        self.entries = OrderedDict()

    def get(self, key):
        """The value kept under key, or None."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
            return self.entries.get(key)

    def put(self, key, value):
        """Keep value under key (dropping the least recently used beyond the size)."""
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def kept_values(name, size=8):
    """This app's store called name (made on first use)."""
    return current_app.extensions.setdefault(name, KeptValues(size))
