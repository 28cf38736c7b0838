"""HTML to PDF with the machine's headless Chromium: the PDF is exactly what the office's browser prints.

WeasyPrint was tried first and measured (docs/BENCHMARKS.md): about 7 s for a 500-row week on the
ward's 2-core machine, and 2.9 s even for one word per cell, against 2.5 s here, start-up included.
Chromium is started per document with no network and a throwaway profile (the template forbids
scripts and loads with a Content-Security-Policy), one at a time per
process (it takes about 300 MB while it runs).
"""
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from ..domain.errors import N_, DomainError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
    "--mute-audio", "--hide-scrollbars", "--no-pdf-header-footer",
    # The document needs nothing from outside: every name resolves to nothing, no proxy is tried.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--no-proxy-server",
)
_one_at_a_time = threading.BoundedSemaphore(1)


class PdfUnavailable(DomainError):
    """The PDF could not be made on this server (no Chromium, or it failed)."""


def find_chromium(configured=None):
    """The Chromium executable to use: the configured path, else the first one on PATH, else None."""
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html, chromium, timeout_s=60):
    """The PDF of a self-contained HTML document; raises PdfUnavailable with a message for people."""
    if chromium is None:
        raise PdfUnavailable(N_("This server cannot make PDF files (Chromium is not installed). "
                                "Use the Print button or the spreadsheet instead."))
    with _one_at_a_time, tempfile.TemporaryDirectory(prefix="inspect-pdf-") as folder:
        source, target = Path(folder) / "document.html", Path(folder) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [chromium, *FLAGS, f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={target}",
                   source.as_uri()]
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        try:
            subprocess.run(command, capture_output=True, timeout=timeout_s, check=False,
                           env={**os.environ, "HOME": folder})
        except (OSError, subprocess.TimeoutExpired):
            raise PdfUnavailable(N_("The PDF could not be made just now. Please try again, or use the Print button."))
        if not target.is_file() or target.stat().st_size == 0:
            raise PdfUnavailable(N_("The PDF could not be made just now. Please try again, or use the Print button."))
        return target.read_bytes()
