"""Forms of the auth pages."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

# Control characters (NUL above all) never reach the database: PostgreSQL refuses NUL in text.
NO_CONTROL_CHARACTERS = re.compile(r"^[^\x00-\x1f\x7f]*$")


class LoginForm(FlaskForm):
    """User name and password (field names fixed: username, password)."""

    username = StringField(_l("User name"), validators=[
        DataRequired(message=_l("Please enter your user name.")),
        Length(max=64, message=_l("At most %(max)d characters.")),
        Regexp(NO_CONTROL_CHARACTERS, message=_l("This field contains invisible control characters.")),
    ])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Please enter your password.")),
        Length(max=256, message=_l("At most %(max)d characters.")),
    ])
