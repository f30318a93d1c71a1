"""The donation form, the trip to Stripe Checkout, and the pages the reader comes back to."""

from flask import Blueprint, Flask, current_app

from donations.money import SYMBOLS, format_money, major_text
from donations.support.amounts import AmountRules, amount_rules, button_label
from donations.support.amounts import pledge_summary as summary

bp = Blueprint("support", __name__)


def init_app(app: Flask) -> None:
    app.extensions["donation_amounts"] = amount_rules(app.config)
    from donations.support import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)
    app.add_template_filter(format_money, "money")
    app.add_template_filter(major_text, "major")
    app.add_template_global(SYMBOLS, "currency_symbols")
    app.add_template_global(
        lambda form: button_label(form.frequency.data, form.shown_amount(), form.currency.data),
        "form_button_label",
    )
    app.add_template_global(
        lambda pledge: summary(pledge.frequency, pledge.amount, pledge.currency), "pledge_summary"
    )

    @app.context_processor
    def donation_rules() -> dict[str, AmountRules]:
        return {"donation_rules": rules()}


def rules() -> AmountRules:
    return current_app.extensions["donation_amounts"]
