"""PDF files: HTML through the machine's headless Chromium (the weekly list, the case file: exactly what the
office's browser prints) and Word files through LibreOffice (the official documents: exactly what Word opens).

WeasyPrint was tried first and measured (docs/BENCHMARKS.md): about 7 s for a 500-row week on the
ward's 2-core machine, and 2.9 s even for one word per cell, against 2.5 s here, start-up included.
Chromium is started per document with no network and a throwaway profile (the template forbids
scripts and loads with a Content-Security-Policy), one at a time per
process (it takes about 300 MB while it runs).
"""
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from ..domain.errors import N_, DomainError

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
OFFICE_CANDIDATES = ("soffice", "libreoffice")
FLAGS = (
    "--headless", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
    "--mute-audio", "--hide-scrollbars", "--no-pdf-header-footer",
    # The document needs nothing from outside: every name resolves to nothing, no proxy is tried.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--no-proxy-server",
)


class PdfUnavailable(DomainError):
    """The PDF could not be made on this server (no Chromium, or it failed)."""


class PdfBusy(DomainError):
    """Too many PDFs asked for at once (by this user, or on this server): come back in a moment."""


class RenderGate:
    """Keeps PDF rendering from starving the app: per process, `slots` renders at a time and at most
    `queue` more waiting (each holds a request thread); per user, one PDF at a time across the
    server's processes (a lock file). Anything beyond is refused at once with PdfBusy (429)."""

    def __init__(self, slots=1, queue=1):
        self.slots = threading.BoundedSemaphore(slots)
        self.capacity = slots + queue
        self.admitted = 0
        self.lock = threading.Lock()

    @contextmanager
    def admit(self, lock_dir, user_key, wait_s=30):
        """Hold a rendering slot for the block; raises PdfBusy when the user or the server is at its limit."""
        with self._user_lock(lock_dir, user_key):
            with self.lock:
                if self.admitted >= self.capacity:
                    raise PdfBusy(N_("The server is making other PDF files. Please try again in a moment."))
                self.admitted += 1
            try:
                if not self.slots.acquire(timeout=wait_s):
                    raise PdfBusy(N_("The server is making other PDF files. Please try again in a moment."))
                try:
                    yield
                finally:
                    self.slots.release()
            finally:
                with self.lock:
                    self.admitted -= 1

    @staticmethod
    @contextmanager
    def _user_lock(lock_dir, user_key):
        Path(lock_dir).mkdir(parents=True, exist_ok=True)
        with open(Path(lock_dir) / f"pdf-{user_key}.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PdfBusy(N_("Your previous PDF is still being made. Please wait for it before asking again.")) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


GATE = RenderGate()


def _find(configured, candidates):
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromium(configured=None):
    """The Chromium executable to use: the configured path, else the first one on PATH, else None."""
    return _find(configured, CANDIDATES)


def find_office(configured=None):
    """LibreOffice's executable (soffice) to use: the configured path, else the one on PATH, else None."""
    return _find(configured, OFFICE_CANDIDATES)


def _render(command, target, folder, timeout_s):
    """Run a renderer with a throwaway home; the PDF's bytes, or PdfUnavailable with the reason logged. The
    renderer runs in its own process group, all of which is killed when it overruns: LibreOffice's
    launcher starts a second process that would otherwise go on after the request gave up."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                   env={**os.environ, "HOME": str(folder)})
    except OSError as exc:
        log.error("PDF renderer %s could not run: %s", command[0], exc)
        raise PdfUnavailable(N_("The PDF could not be made just now. Please try again, or use the Print button.")) from exc
    try:
        _out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        log.error("PDF renderer %s took longer than %s s: stopped", command[0], timeout_s)
        raise PdfUnavailable(N_("The PDF could not be made just now. Please try again, or use the Print button.")) from exc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # nothing of it outlives the request
    if not target.is_file() or target.stat().st_size == 0:
        log.error("PDF renderer %s failed: exit code %s; stderr: %s", command[0], process.returncode,
                  err.decode("utf-8", "replace")[-2000:].strip())
        raise PdfUnavailable(N_("The PDF could not be made just now. Please try again, or use the Print button."))
    return target.read_bytes()


def html_to_pdf(html, chromium, timeout_s=60):
    """The PDF of a self-contained HTML document; raises PdfUnavailable with a message for people."""
    if chromium is None:
        raise PdfUnavailable(N_("This server cannot make PDF files (Chromium is not installed). "
                                "Use the Print button or the spreadsheet instead."))
    with tempfile.TemporaryDirectory(prefix="inspect-pdf-") as folder:
        source, target = Path(folder) / "document.html", Path(folder) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [chromium, *FLAGS, f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={target}",
                   source.as_uri()]
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        return _render(command, target, folder, timeout_s)


def docx_to_pdf(content, office, timeout_s=60):
    """The PDF of a Word file, made by LibreOffice: the same pages the office gets when it opens the .docx
    (an uploaded template's layout included). Raises PdfUnavailable with a message for people."""
    if office is None:
        raise PdfUnavailable(N_("This server cannot make PDF files of documents (LibreOffice is not installed). "
                                "Download the Word file and print it from Word."))
    with tempfile.TemporaryDirectory(prefix="inspect-docx-") as folder:
        source, target = Path(folder) / "document.docx", Path(folder) / "document.pdf"
        source.write_bytes(content)
        # Its own profile per run: two conversions at once never share one, and none is left behind.
        command = [office, f"-env:UserInstallation={(Path(folder) / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", folder, str(source)]
        return _render(command, target, folder, timeout_s)
