"""The payment core: pledges and their payments, money and the amounts readers may give, the
one gateway to Stripe, its webhooks (the source of truth), reconciling, donors' notices and
the supporter pass a gift earns. Every feature may use it; it uses none of them."""

from flask import Flask

from donations.payments import cli, stripe_gateway
from donations.payments.amounts import amount_rules
from donations.payments.money import Money
from donations.payments.webhooks import bp as webhooks
from donations.payments.webhooks.outcome import in_words


def init_app(app: Flask) -> None:
    stripe_gateway.init_app(app)
    app.extensions["donation_amounts"] = amount_rules(app.config)
    app.register_blueprint(webhooks)
    app.cli.add_command(cli.stripe_cli)
    app.cli.add_command(cli.mail_cli)
    # Amounts in templates: `{{ payment.amount|money(payment.currency) }}` → "$12.50".
    app.add_template_filter(lambda amount, currency: str(Money(amount, currency)), "money")
    # What a Stripe event did, in words: "refunded $4.00 of $10.00".
    app.add_template_filter(in_words, "in_words")
