"""The donation form, the trip to Stripe Checkout, and the pages the reader comes back to."""

from flask import Blueprint, Flask

from donations.payments.amounts import button_label, donation_rules, pledge_summary
from donations.payments.pledges import first_of_next_month

bp = Blueprint("support", __name__)


def init_app(app: Flask) -> None:
    from donations.support import views

    app.register_blueprint(bp)
    app.add_template_global(views.donation_form, "donation_form")
    app.add_template_global(
        lambda form: button_label(form.frequency.data, form.chosen_amount()), "form_button_label"
    )
    app.add_template_global(
        lambda pledge: pledge_summary(pledge.frequency, pledge.money), "pledge_summary"
    )
    app.add_template_global(donation_rules, "donation_rules")
    app.add_template_global(first_of_next_month, "first_of_next_month")
