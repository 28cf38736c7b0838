"""Tables. No commits and no business rules here: those live in domain/ and the views."""
from .admin_event import AdminEvent
from .api_token import ApiToken
from .case_anchor import CaseAnchor
from .case_event import CaseEvent
from .document import DocumentTemplate, GeneratedDocument
from .field import CaseCounter, Patrol, Photo, TrackPoint, Violation, Visit
from .geography import Route, Ward
from .login_attempt import LoginAttempt
from .login_session import LoginSession
from .register import DocumentCounter, RegisterEntry
from .reminder import ReminderSend
from .user import User

__all__ = [
    "AdminEvent",
    "ApiToken",
    "CaseAnchor",
    "CaseCounter",
    "CaseEvent",
    "DocumentCounter",
    "DocumentTemplate",
    "GeneratedDocument",
    "LoginAttempt",
    "LoginSession",
    "Patrol",
    "Photo",
    "RegisterEntry",
    "ReminderSend",
    "Route",
    "TrackPoint",
    "User",
    "Violation",
    "Visit",
    "Ward",
]
