"""Domain errors. Messages are English msgids, translated where they reach a person."""


def N_(message: str) -> str:
    """Mark a string for translation without translating it here (the edge translates)."""
    return message


class DomainError(Exception):
    """A rule of the ward's work was not met; message is a msgid with %(name)s params."""

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class InvalidInput(DomainError):
    """Input that cannot be stored as given."""


class InvalidFields(DomainError):
    """Several form fields are wrong; errors maps each field name to an InvalidInput."""

    def __init__(self, errors):
        super().__init__(N_("Please correct the marked fields; nothing was saved."))
        self.errors = errors


class NotFound(DomainError):
    """A record that was asked for does not exist."""


class Forbidden(DomainError):
    """The user may not act on this record."""


class Conflict(DomainError):
    """The input clashes with a record already stored."""


class NeedsConfirmation(DomainError):
    """The input is acceptable only once the user confirms it (kind says what to confirm)."""

    def __init__(self, message, kind, details=None, **params):
        super().__init__(message, **params)
        self.kind = kind
        self.details = details or []


class AccountInactive(DomainError):
    """The account exists but has been deactivated."""
