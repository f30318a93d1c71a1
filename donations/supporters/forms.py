"""The "Already a supporter?" form: one e-mail address."""

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "The e-mail address you donated with",
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(message="Please enter your e-mail address."),
            Length(max=254, message="That e-mail address is too long."),
            Email(
                message="Please check your e-mail address: it should look like name@example.org."
            ),
        ],
    )
