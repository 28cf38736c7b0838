"""Read-only API tokens, per user, for QGIS and scripts that cannot use the login form and CSRF: made on
the account page and shown once, stored as their SHA-256, revoked by their owner (or with the account:
a deactivated user's tokens open nothing). A token gives its user's rights, for reading only (the web
layer lets it through on GET and HEAD alone). The caller commits."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ApiToken, User
from ...models.types import utcnow
from ..errors import N_, InvalidFields, InvalidInput, NotFound
from ..inputs import has_control_characters

PREFIX = "tlk_"
MAX_TOKENS = 20
# The "last used" time is written at most this often: a QGIS layer refreshing every few seconds must not
# turn every read into a write.
USE_RESOLUTION = timedelta(minutes=5)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user: (its row, the secret to show once)."""
    name = (name or "").strip()
    if not name or len(name) > 100 or has_control_characters(name):
        raise InvalidFields({"name": InvalidInput(N_("Give the token a name of 1 to 100 characters (e.g. QGIS at the office)."))})
    live = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    if len(live) >= MAX_TOKENS:
        raise InvalidFields({"name": InvalidInput(N_("You have %(n)s tokens already: revoke one you no longer use."),
                                                  n=MAX_TOKENS)})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=_hash(secret))
    session.add(token)
    session.flush()
    return token, secret


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    """The user's tokens, newest first (revoked ones too)."""
    return session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).all()


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens (NotFound for anyone else's)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = now
    return token


def revoke_all(session: Session, user: User, now: datetime | None = None) -> int:
    """Revoke every live token of the user (deactivation, a password reset by the administrator); how many."""
    live = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    for token in live:
        token.revoked_at = now or utcnow()
    return len(live)


def user_of_token(session: Session, secret: str, now: datetime) -> User | None:
    """The active user a live token belongs to, or None; notes when it was used."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        token.last_used_at = now
    return token.user
