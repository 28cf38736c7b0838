"""Accounts: creating, authenticating and deactivating users. The caller commits."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ...models import AdminEvent, ApiToken, CaseEvent, GeneratedDocument, Patrol, Photo, ReminderSend, User, Violation, Visit
from ...models.types import utcnow
from ..errors import N_, AccountInactive, Conflict, Forbidden, InvalidFields, InvalidInput, NotFound
from . import api_tokens, login_sessions
from .roles import ADMIN, INSPECTOR, ROLES

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# Compared against when the user name is unknown, so a wrong name costs as long as a
# wrong password and timing does not tell which one was wrong.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")


def normalise_username(username: str) -> str:
    """User names are case-insensitive: stored and looked up in lower case."""
    return (username or "").strip().lower()


def validate_password(password: str, min_length: int) -> None:
    """Raise InvalidInput when a password is too short to be allowed."""
    if password is None or len(password) < min_length:
        raise InvalidInput(N_("The password must have at least %(n)s characters."), n=min_length)


def create_user(session: Session, username: str, role: str, password: str, full_name: str = "",
                min_password_length: int = 8) -> User:
    """Add a new active user with a hashed password; raises on bad or duplicate input."""
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput(
            N_("User name %(name)r is not allowed: use 3–64 letters a–z, digits, dot, dash or underscore."),
            name=username,
        )
    if role not in ROLES:
        raise InvalidInput(N_("Unknown role %(role)r; choose one of: %(roles)s."), role=role, roles=", ".join(ROLES))
    validate_password(password, min_password_length)
    full_name = (full_name or "").strip()
    if len(full_name) > 120:
        raise InvalidInput(N_("The full name is longer than %(n)s characters."), n=120)
    if find_user(session, name) is not None:
        raise Conflict(N_("User %(name)s already exists."), name=name)
    user = User(
        username=name, role=role, full_name=full_name,
        password_hash=generate_password_hash(password), active=True,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    """The user with this name, or None."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None (used by the login manager)."""
    return session.get(User, user_id)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user whose name and password match, or None; AccountInactive if deactivated."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if not user.active:
        raise AccountInactive(N_("This account has been deactivated. Please contact the ward office."))
    return user


def record_login(user: User, when: datetime | None = None) -> None:
    """Remember when the user last logged in."""
    user.last_login_at = when or utcnow()


def deactivate_user(session: Session, username: str) -> User:
    """Mark a user inactive from the command line (records stay theirs, sessions end), by the same rules
    as the admin pages: never the last active administrator; raises NotFound."""
    user = find_user(session, username)
    if user is None:
        raise NotFound(N_("No user named %(name)s."), name=normalise_username(username))
    return set_active(session, user, False, acting_user=None)


def get_user_or_fail(session: Session, user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound(N_("This user does not exist."))
    return user


def _other_active_admins(session, user):
    return session.scalar(
        select(func.count(User.id)).where(User.role == ADMIN, User.active.is_(True), User.id != user.id)
    )


def _refuse_self(user, acting_user, message):
    if acting_user is not None and user.id == acting_user.id:
        raise Forbidden(message)


def change_role(session: Session, user: User, role: str, acting_user: User) -> str:
    """Give a user another role; an administrator cannot change their own, and one active admin must remain."""
    if role not in ROLES:
        raise InvalidInput(N_("Unknown role %(role)r; choose one of: %(roles)s."), role=role, roles=", ".join(ROLES))
    _refuse_self(user, acting_user, N_("You cannot change your own role; ask another administrator."))
    if user.role == ADMIN and role != ADMIN and user.active and not _other_active_admins(session, user):
        raise Conflict(N_("%(name)s is the last active administrator; make someone else administrator first."),
                       name=user.username)
    if user.role == role:
        raise InvalidInput(N_("%(name)s already has this role."), name=user.username)
    previous, user.role = user.role, role
    return previous


def set_active(session: Session, user: User, active: bool, acting_user: User | None) -> User:
    """Deactivate (they can no longer log in; records stay theirs) or reactivate a user."""
    if user.active == active:
        raise InvalidInput(N_("%(name)s is already active.") if active else N_("%(name)s is already deactivated."),
                           name=user.username)
    if not active:
        _refuse_self(user, acting_user, N_("You cannot deactivate your own account."))
        if user.role == ADMIN and not _other_active_admins(session, user):
            raise Conflict(N_("%(name)s is the last active administrator; make someone else administrator first."),
                           name=user.username)
    user.active = active
    if not active:
        # Its sessions end now; reactivating later does not bring them back.
        login_sessions.end_all_sessions(session, user, "deactivated")
        api_tokens.revoke_all(session, user)  # reactivating the account does not bring them back
    return user


def rename(user: User, full_name: str) -> str:
    """Change the name shown in the app and on documents (the user name stays)."""
    full_name = (full_name or "").strip()
    if len(full_name) > 120:
        raise InvalidInput(N_("The full name is longer than %(n)s characters."), n=120)
    if full_name == user.full_name:
        raise InvalidInput(N_("%(name)s already has this full name."), name=user.username)
    previous, user.full_name = user.full_name, full_name
    return previous


def reset_password(session: Session, user: User, new_password: str, min_length: int) -> User:
    """Set a password chosen by the administrator: the user's sessions end, and they must choose
    their own password at the next login."""
    _set_password(user, new_password, min_length)
    user.must_change_password = True
    login_sessions.end_all_sessions(session, user, "password")
    # The administrator resets when an account may be in other hands: its tokens and the address its
    # morning mail goes to (perhaps someone else's, set with a stolen session) go too.
    api_tokens.revoke_all(session, user)
    user.email, user.email_reminders = None, False
    return user


def change_own_password(session: Session, user: User, current_password: str, new_password: str, min_length: int,
                        keep_session: str | None = None) -> User:
    """The user replaces their password (the current one is required); their other sessions end."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise InvalidFields({"current_password": InvalidInput(N_("This is not your current password."))})
    if check_password_hash(user.password_hash, new_password or ""):
        raise InvalidFields({"new_password": InvalidInput(N_("Choose a password different from the current one."))})
    try:
        _set_password(user, new_password, min_length)
    except InvalidInput as problem:
        raise InvalidFields({"new_password": problem}) from problem
    user.must_change_password = False
    login_sessions.end_all_sessions(session, user, "password", keep=keep_session)
    return user


def _set_password(user, new_password, min_length):
    validate_password(new_password, min_length)
    if len(new_password) > 200:
        raise InvalidInput(N_("The password is longer than %(n)s characters."), n=200)
    user.password_hash = generate_password_hash(new_password)


def has_records(session: Session, user: User) -> bool:
    """True when anything in the ward's records names this user (patrols, cases, visits, photos, history, log)."""
    references = (
        Patrol.inspector_id, Violation.inspector_id, Violation.officer_id, Visit.inspector_id,
        Photo.uploaded_by_id, CaseEvent.actor_id, CaseEvent.officer_id, AdminEvent.actor_id, GeneratedDocument.user_id,
    )
    return any(session.scalar(select(exists().where(column == user.id))) for column in references)


def delete_user(session: Session, user: User, acting_user: User) -> None:
    """Delete an account created by mistake; people who have records can only be deactivated."""
    _refuse_self(user, acting_user, N_("You cannot delete your own account."))
    if has_records(session, user):
        raise Conflict(N_("%(name)s has records in the ward's files and cannot be deleted; deactivate the account instead."),
                       name=user.username)
    if user.role == ADMIN and user.active and not _other_active_admins(session, user):
        raise Conflict(N_("%(name)s is the last active administrator; make someone else administrator first."),
                       name=user.username)
    # Ended sessions, tokens and morning mails sent are not records of the ward's work.
    login_sessions.forget_sessions(session, user)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(ReminderSend).where(ReminderSend.user_id == user.id))
    session.delete(user)
    session.flush()


def list_users(session: Session) -> Sequence[User]:
    """All users, by role then name."""
    return session.scalars(select(User).order_by(User.role, User.username)).all()


def active_inspectors(session: Session) -> Sequence[User]:
    """Inspectors who can be put in charge of a case, by name."""
    return session.scalars(
        select(User).where(User.role == INSPECTOR, User.active.is_(True)).order_by(User.full_name, User.username)
    ).all()


def count_users(session: Session) -> int:
    """How many accounts exist."""
    return session.scalar(select(func.count(User.id))) or 0


# One address: a local part and a host with a dot, nothing that a mail header could be bent with.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def set_reminders(session: Session, user: User, email: str, wanted: bool, current_password: str = "") -> User:
    """The user's own address for the morning reminder and whether they want it (empty address: no mail). A new
    address needs the current password: a borrowed session must not send the ward's cases elsewhere."""
    address = (email or "").strip()
    errors = {}
    if address and (len(address) > 254 or not _EMAIL.fullmatch(address)):
        errors["email"] = InvalidInput(N_("This is not an e-mail address (name@example.vn)."))
    elif wanted and not address:
        errors["email"] = InvalidInput(N_("Give an e-mail address to receive the reminder, or untick it."))
    elif address and address != (user.email or "") and not check_password_hash(user.password_hash, current_password or ""):
        errors["current_password"] = InvalidInput(N_("This is not your current password."))
    if errors:
        raise InvalidFields(errors)
    user.email, user.email_reminders = address or None, wanted
    return user


def mark_news_read(session: Session, user: User, until: datetime) -> User:
    """The user has read the news on their cases up to `until` (the moment the list was shown): entries after
    it stay new. Never moves back."""
    if user.news_seen_at is None or until > user.news_seen_at:
        user.news_seen_at = until
    return user
