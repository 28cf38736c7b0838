"""Sending e-mail through the ward's SMTP server (settings MAIL_* in instance/config.py): one message,
tried again after a passing failure (a refused connection, a 4xx answer), never after a permanent one
(a 5xx answer: a wrong address does not become right by waiting)."""
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage

SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class MailSettings:
    """Where and how mail goes out."""

    host: str
    port: int
    security: str            # "none", "starttls" or "ssl"
    username: str | None
    password: str | None
    sender: str
    timeout_s: float
    retry_delays_s: tuple[float, ...]

    @classmethod
    def from_config(cls, config):
        """The settings of instance/config.py (MAIL_SERVER None: no e-mail); a security setting that is not
        one of SECURITY is refused, never read as plain text."""
        if config["MAIL_SECURITY"] not in SECURITY:
            raise ValueError(f"MAIL_SECURITY must be one of {', '.join(SECURITY)}, not {config['MAIL_SECURITY']!r}")
        return cls(host=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]), security=config["MAIL_SECURITY"],
                   username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
                   sender=config["MAIL_FROM"], timeout_s=float(config["MAIL_TIMEOUT_S"]),
                   retry_delays_s=tuple(config["MAIL_RETRY_DELAYS_S"]))


class SendFailed(Exception):
    """The message did not go out: the server's or the network's last words, and how many tries it took."""

    def __init__(self, reason: str, attempts: int, permanent: bool):
        super().__init__(reason)
        self.attempts, self.permanent = attempts, permanent


def _connect(settings):
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    if settings.security == "starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def send_message(settings: MailSettings, message: EmailMessage, sleep=time.sleep) -> int:
    """Send one message; returns how many tries it took, or raises SendFailed."""
    attempts, reason = 0, ""
    for delay in (0.0, *settings.retry_delays_s):
        if delay:
            sleep(delay)
        attempts += 1
        try:
            smtp = _connect(settings)
            try:
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(message)
            except BaseException:
                smtp.close()
                raise
            _quit(smtp)  # accepted: whatever the server says to QUIT, the message went
            return attempts
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = "; ".join(f"{address}: {code} {text.decode(errors='replace')}"
                               for address, (code, text) in exc.recipients.items())
            if all(code >= 500 for code in codes):
                raise SendFailed(reason, attempts, permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            reason = f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
            if exc.smtp_code >= 500:
                raise SendFailed(reason, attempts, permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
    raise SendFailed(reason, attempts, permanent=False)


def _quit(smtp):
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
