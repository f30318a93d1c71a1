"""The newsletter's sign-up form: an address, and nothing a bot should fill."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length


class SignUpForm(FlaskForm):
    email = EmailField(
        "Your e-mail",
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(message="Please enter your e-mail address."),
            Length(max=254, message="That e-mail address is too long."),
            Email(
                message="Please check your e-mail address: it should look like name@example.org."
            ),
        ],
    )
    # A field people never see or fill: bots that fill every input give themselves away.
    website = StringField("Leave this empty", validators=[Length(max=200)])
