"""The dashboard's forms: sign-in and actions carry CSRF tokens; list filters are plain GETs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from donations.payments.enums import Frequency, PledgeStatus
from donations.payments.money import AmountError, Money
from donations.staff.queries import DEFAULT_PERIOD, PERIODS
from donations.staff.search import DEFAULT_SORT, SORTS, PledgeFilter


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new = PasswordField(
        "New password",
        description="At least 12 characters and hard to guess: a few uncommon words will do.",
        validators=[DataRequired(), Length(max=200)],
    )
    repeat = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
    )


class FilterForm(FlaskForm):
    """Filters live in the query string so a filtered view can be bookmarked and shared."""

    class Meta:
        csrf = False


class OverviewForm(FilterForm):
    days = SelectField(
        "Period",
        choices=[SelectChoice(str(days), f"Last {days} days") for days in PERIODS],
        default=str(DEFAULT_PERIOD),
        validators=[Optional()],
    )
    currency = SelectField(
        "Currency", choices=[SelectChoice("", "All currencies")], validators=[Optional()]
    )

    def with_currencies(self, currencies: list[str]) -> OverviewForm:
        self.currency.choices = [SelectChoice("", "All currencies")] + [
            SelectChoice(c, c.upper()) for c in currencies
        ]
        return self

    def period(self) -> int:
        return (
            int(self.days.data) if self.days.data in {str(d) for d in PERIODS} else DEFAULT_PERIOD
        )

    def chosen_currency(self) -> str | None:
        values = {choice.value for choice in self.currency.choices}
        return self.currency.data if self.currency.data in values and self.currency.data else None


class PledgeFilterForm(FilterForm):
    q = StringField("E-mail or Stripe id", validators=[Optional(), Length(max=255)])
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(s, s.replace("_", " ")) for s in list(PledgeStatus)],
        validators=[Optional()],
    )
    frequency = SelectField(
        "Frequency",
        choices=[SelectChoice("", "Any frequency")]
        + [SelectChoice(str(f), f.capitalize()) for f in Frequency],
        validators=[Optional()],
    )
    currency = SelectField(
        "Currency", choices=[SelectChoice("", "Any currency")], validators=[Optional()]
    )
    prompt = SelectField(
        "Prompt", choices=[SelectChoice("", "Any prompt")], validators=[Optional()]
    )
    created_from = DateField("From", validators=[Optional()])
    created_to = DateField("To", validators=[Optional()])
    sort = SelectField(
        "Sort",
        choices=[
            SelectChoice("newest", "Newest first"),
            SelectChoice("oldest", "Oldest first"),
            SelectChoice("largest", "Largest first"),
            SelectChoice("smallest", "Smallest first"),
        ],
        default=DEFAULT_SORT,
        validators=[Optional()],
    )
    abandoned = BooleanField("Show abandoned checkouts (pending for over a day)")

    def with_choices(self, currencies: list[str], prompts: list[str]) -> PledgeFilterForm:
        self.currency.choices = [SelectChoice("", "Any currency")] + [
            SelectChoice(c, c.upper()) for c in currencies
        ]
        self.prompt.choices = [SelectChoice("", "Any prompt")] + [SelectChoice(p) for p in prompts]
        return self

    def pledge_filter(self) -> PledgeFilter:
        """The filter the form describes; a value that is not one of the choices is ignored."""
        self.validate()

        def chosen(field: SelectField) -> str:
            return field.data if field.data in {choice.value for choice in field.choices} else ""

        return PledgeFilter(
            query=(self.q.data or "").strip()[:255],
            status=chosen(self.status),
            frequency=chosen(self.frequency),
            currency=chosen(self.currency),
            prompt=chosen(self.prompt),
            created_from=None if self.created_from.errors else self.created_from.data,
            created_to=None if self.created_to.errors else self.created_to.data,
            sort=self.sort.data if self.sort.data in SORTS else DEFAULT_SORT,
            abandoned=bool(self.abandoned.data),
        )


class RefundForm(FlaskForm):
    amount = StringField("Amount to refund", validators=[Optional(), Length(max=20)])
    confirm = BooleanField("Yes, refund this payment", validators=[DataRequired()])

    def __init__(self, refundable: Money, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.minor: int | None = None

    def validate_amount(self, field: StringField) -> None:
        if not field.data:
            return  # the whole remaining amount
        try:
            self.minor = Money.parse(field.data, self.refundable.currency).amount
        except AmountError as error:
            raise ValidationError(str(error)) from None
        if not 0 < self.minor <= self.refundable.amount:
            raise ValidationError("The amount must be more than 0 and no more than what is left.")


class CancelForm(FlaskForm):
    when = RadioField(
        "When",
        choices=[
            SelectChoice("period_end", "At the end of the period already paid for"),
            SelectChoice("now", "Now"),
        ],
        default="period_end",
        validators=[DataRequired()],
    )
    confirm = BooleanField("Yes, cancel this recurring pledge", validators=[DataRequired()])


class ResendForm(FlaskForm):
    what = RadioField(
        "Send",
        choices=[
            SelectChoice("thank_you", "The receipt"),
            SelectChoice("manage_link", "The manage-my-donation link"),
        ],
        default="thank_you",
        validators=[DataRequired()],
    )
    confirm = BooleanField("Yes, e-mail the donor", validators=[DataRequired()])
