"""Domain errors. Messages are English msgids, translated where they reach a person."""


def N_(message):
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


class NotFound(DomainError):
    """A record that was asked for does not exist."""


class Conflict(DomainError):
    """The input clashes with a record already stored."""


class AccountInactive(DomainError):
    """The account exists but has been deactivated."""
