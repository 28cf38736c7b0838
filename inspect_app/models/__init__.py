"""Tables. No commits and no business rules here: those live in domain/ and the views."""
from .geography import Route, Ward
from .user import User

__all__ = ["Route", "User", "Ward"]
