"""Forms of the auth pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..domain.inputs import has_control_characters


def no_control_characters(form, field):
    """WTForms validator: the one check of domain/inputs.py, for a one-line field."""
    if has_control_characters(field.data):
        raise ValidationError(_l("This field contains invisible control characters."))


class LoginForm(FlaskForm):
    """User name and password (field names fixed: username, password)."""

    username = StringField(_l("User name"), validators=[
        DataRequired(message=_l("Please enter your user name.")),
        Length(max=64, message=_l("At most %(max)d characters.")),
        no_control_characters,
    ])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Please enter your password.")),
        Length(max=256, message=_l("At most %(max)d characters.")),
    ])
