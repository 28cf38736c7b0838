"""gunicorn settings for `make serve` (docs/DEPLOY.md). Every value can be overridden from the
environment: INSPECT_BIND, INSPECT_WORKERS, INSPECT_THREADS.

Threads, not only processes: most of a request's time is waiting for the database or the
network, and on SQLite the writers queue behind one lock anyway (BEGIN IMMEDIATE, 30 s busy
timeout), so more processes would only add memory.
"""
import multiprocessing
import os

bind = os.environ.get("INSPECT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("INSPECT_WORKERS", min(multiprocessing.cpu_count() + 1, 8)))
worker_class = "gthread"
threads = int(os.environ.get("INSPECT_THREADS", 8))
timeout = 120            # a 500-row PDF takes a few seconds; a photo upload on a slow phone longer
graceful_timeout = 30
keepalive = 30          # phones send every few seconds: keep their connection (behind nginx: its upstream)
max_requests = 2000      # recycle workers now and then (Pillow, Chromium subprocesses)
max_requests_jitter = 200
accesslog = os.environ.get("INSPECT_ACCESS_LOG", "-") or None  # empty: no access log
forwarded_allow_ips = os.environ.get("INSPECT_FORWARDED_ALLOW_IPS", "127.0.0.1")
