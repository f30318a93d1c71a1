"""The donation form: what a reader may choose, checked server-side whatever the browser sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, Length, Optional, ValidationError

from donations.models import FREQUENCIES
from donations.money import SYMBOLS, AmountError, major_text, parse_major
from donations.support.amounts import FREQUENCY_LABELS, AmountRules

PLACEMENTS = ("article-end", "banner", "overlay", "support-page", "reminder", "cancelled")
OTHER = "other"
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
TOKEN_CHARS = SLUG_CHARS | set("_")


@dataclass(frozen=True)
class DonationChoice:
    frequency: str
    amount: int  # minor units
    currency: str
    email: str | None


@dataclass(frozen=True)
class Attribution:
    article_slug: str | None
    placement: str | None
    prompt: str | None
    variant: str | None


class TamperedForm(Exception):
    """Hidden fields were altered: not something a reader fixes by retyping."""


class DonationForm(FlaskForm):
    frequency = RadioField(
        "How often",
        choices=[SelectChoice(value, FREQUENCY_LABELS[value]) for value in FREQUENCIES],
        validate_choice=False,
    )
    amount = RadioField("Amount", choices=[], validate_choice=False)
    other_amount = StringField("Other amount", validators=[Length(max=20)])
    currency = SelectField(
        "Currency",
        choices=[
            SelectChoice(code, f"{code.upper()} {symbol}") for code, symbol in SYMBOLS.items()
        ],
        validate_choice=False,
    )
    email = EmailField(
        "E-mail for your receipt (optional)",
        filters=[lambda value: value.strip() if value else value],
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Please check your e-mail address, or leave it empty."),
        ],
    )
    # A field people never see or fill: bots that fill every input give themselves away.
    website = StringField("Leave this empty", validators=[Length(max=200)])
    article = HiddenField()
    placement = HiddenField()
    prompt = HiddenField()
    variant = HiddenField()

    def __init__(self, rules: AmountRules, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        self._amount_minor: int | None = None
        if not self.frequency.data or self.frequency.data not in FREQUENCIES:
            self.frequency.data = rules.default_frequency
        if not self.currency.data or self.currency.data not in rules.currencies:
            self.currency.data = rules.default_currency
        self.currency.choices = [c for c in self.currency.choices if c.value in rules.currencies]
        self.amount.choices = [SelectChoice(major_text(a)) for a in self.presets]
        self.amount.choices.append(SelectChoice(OTHER, "Other"))
        if not self.amount.data and not self.is_submitted():
            self.amount.data = major_text(rules.rule(self.frequency.data).default)

    @property
    def presets(self) -> tuple[int, ...]:
        return self.rules.rule(self.frequency.data).presets

    def shown_amount(self) -> int:
        """The amount the button names: what the reader typed or picked, else the default."""
        for text in (self.other_amount.data, self.amount.data):
            try:
                amount = parse_major(text or "")
            except AmountError:
                continue
            if self.rules.problem(self.frequency.data, amount, self.currency.data) is None:
                return amount
        return self.rules.rule(self.frequency.data).default

    def validate_frequency(self, field: RadioField) -> None:
        if self.frequency.raw_data and self.frequency.raw_data[0] not in FREQUENCIES:
            raise ValidationError("Please choose once, monthly or annual.")

    def validate_currency(self, field: SelectField) -> None:
        if self.currency.raw_data and self.currency.raw_data[0] not in self.rules.currencies:
            names = ", ".join(code.upper() for code in self.rules.currencies)
            raise ValidationError(f"We accept {names}.")

    def validate_other_amount(self, field: StringField) -> None:
        if self.frequency.errors or self.currency.errors:
            return
        use_other = self.amount.data == OTHER or (field.data or "").strip()
        text = (field.data or "") if use_other else (self.amount.data or "")
        try:
            amount = parse_major(text)
        except AmountError as error:
            raise ValidationError(str(error)) from None
        problem = self.rules.problem(self.frequency.data, amount, self.currency.data)
        if problem:
            raise ValidationError(problem)
        self._amount_minor = amount

    def check_hidden_fields(self, known_article: bool) -> None:
        """Raise TamperedForm when hidden fields hold what no page of ours sends."""
        if self.website.data:
            raise TamperedForm("website")
        if self.placement.data and self.placement.data not in PLACEMENTS:
            raise TamperedForm("placement")
        if self.article.data and not known_article:
            raise TamperedForm("article")
        for field in (self.prompt, self.variant):
            value = field.data or ""
            if len(value) > 60 or not set(value) <= TOKEN_CHARS:
                raise TamperedForm(field.name)

    def choice(self) -> DonationChoice:
        assert self._amount_minor is not None, "choice() before a successful validate()"
        return DonationChoice(
            frequency=self.frequency.data,
            amount=self._amount_minor,
            currency=self.currency.data,
            email=(self.email.data or "").strip().lower() or None,
        )

    def attribution(self) -> Attribution:
        return Attribution(
            article_slug=self.article.data or None,
            placement=self.placement.data or None,
            prompt=self.prompt.data or None,
            variant=self.variant.data or None,
        )


def prefill(rules: AmountRules, args: Mapping[str, str]) -> dict[str, str]:
    """Form data from a query string (?frequency=annual&amount=50…); bad values dropped."""
    data: dict[str, str] = {}
    frequency = (args.get("frequency") or "").lower()
    if frequency in FREQUENCIES:
        data["frequency"] = frequency
    currency = (args.get("currency") or "").lower()
    if currency in rules.currencies:
        data["currency"] = currency
    try:
        amount = parse_major(args.get("amount") or "")
    except AmountError:
        amount = None
    freq = data.get("frequency", rules.default_frequency)
    cur = data.get("currency", rules.default_currency)
    if amount is not None and rules.problem(freq, amount, cur) is None:
        if amount in rules.rule(freq).presets:
            data["amount"] = major_text(amount)
        else:
            data["amount"] = OTHER
            data["other_amount"] = major_text(amount)
    for name in ("article", "placement", "prompt", "variant"):
        value = args.get(name) or ""
        if value and len(value) <= 200 and set(value) <= TOKEN_CHARS:
            data[name] = value
    return data
