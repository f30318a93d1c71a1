"""The monthly offer before Checkout: who gets it, what it suggests, and where each answer goes."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from donations.experiments import service as experiments
from donations.payments.amounts import donation_rules, monthly_upsell
from donations.payments.enums import Frequency, PledgeStatus, UpsellStep
from donations.payments.models import Pledge
from donations.payments.money import Money
from donations.platform.extensions import db
from tests.checkout import pay
from tests.conftest import csrf_token


def give_once(client, amount: str = "10", **fields):
    data = {"csrf_token": csrf_token(client), "frequency": "once", "amount": amount, **fields}
    return client.post("/support", data=data)


def answer(client, pledge: Pledge, choice: str, monthly_amount: str = "5"):
    data = {
        "csrf_token": csrf_token(client),
        "pledge": pledge.public_id,
        "choice": choice,
        "monthly_amount": monthly_amount,
    }
    return client.post("/support/upsell", data=data)


def only_pledge() -> Pledge:
    return db.session.scalars(select(Pledge)).one()


@pytest.fixture
def upsell_app(make_app):
    return make_app(UPSELL_MONTHLY="on")


@pytest.mark.parametrize(
    ("once", "monthly"), [("3", "2"), ("5", "2"), ("10", "5"), ("25", "10"), ("45", "20")]
)
def test_the_suggested_monthly_amount_is_the_largest_preset_up_to_half(app, once, monthly):
    with app.app_context():
        suggested = monthly_upsell(donation_rules(), Money.parse(once, "usd"))
    assert suggested == Money.parse(monthly, "usd")


def test_the_offer_is_off_by_default_and_the_pledge_says_it_was_skipped(app, client):
    with app.app_context():
        response = give_once(client)
        assert response.status_code == 303
        assert only_pledge().upsell == UpsellStep.SKIPPED


def test_a_small_one_off_choice_gets_the_monthly_offer_before_checkout(upsell_app):
    client = upsell_app.test_client()
    with upsell_app.app_context():
        response = give_once(client, "10")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Make it $5 a month?" in page
        assert "No thanks, give $10 once" in page
        assert "Change the amount" in page
        assert "no-store" in response.headers["Cache-Control"]
        pledge = only_pledge()
        assert (pledge.upsell, pledge.frequency, pledge.checkout_session_id) == (
            UpsellStep.OFFERED,
            Frequency.ONCE,
            None,
        )


def test_one_off_gifts_at_the_limit_and_recurring_ones_go_straight_to_checkout(upsell_app):
    client = upsell_app.test_client()
    with upsell_app.app_context():
        assert give_once(client, "50").status_code == 303
        data = {"csrf_token": csrf_token(client), "frequency": "monthly", "amount": "5"}
        assert client.post("/support", data=data).status_code == 303
        assert [p.upsell for p in db.session.scalars(select(Pledge))] == [None, None]


def test_no_thanks_keeps_the_one_off_gift_and_goes_to_checkout(upsell_app):
    client = upsell_app.test_client()
    with upsell_app.app_context():
        give_once(client, "10")
        response = answer(client, only_pledge(), "once")
        assert response.status_code == 303
        db.session.expire_all()
        pledge = only_pledge()
        assert (pledge.frequency, pledge.amount, pledge.upsell) == (
            Frequency.ONCE,
            1000,
            UpsellStep.DECLINED,
        )
        assert pledge.checkout_session_id


def test_a_monthly_amount_below_the_minimum_is_refused_in_words(upsell_app):
    client = upsell_app.test_client()
    with upsell_app.app_context():
        give_once(client, "10")
        response = answer(client, only_pledge(), "monthly", monthly_amount="1")
        assert response.status_code == 422
        assert "Monthly support starts at $2/month." in response.get_data(as_text=True)
        assert only_pledge().upsell == UpsellStep.OFFERED


def test_an_offer_answered_from_another_browser_is_refused(upsell_app):
    give_once(upsell_app.test_client(), "10")
    with upsell_app.app_context():
        pledge = only_pledge()
    response = answer(upsell_app.test_client(), pledge, "monthly")
    assert response.status_code == 400
    assert "no longer open" in response.get_data(as_text=True)
    with upsell_app.app_context():
        assert only_pledge().upsell == UpsellStep.OFFERED


def test_an_experiment_variant_switches_the_offer_on_for_its_readers(app, client):
    with app.app_context():
        experiment = experiments.create(
            by="admin@newsroom.example",
            name="monthly-offer",
            placement="article-end",
            hypothesis="Offering monthly brings more yearly value.",
            variants=[
                {"name": "control", "weight": 1, "changes": {}},
                {"name": "offer", "weight": 1, "changes": {"upsell": True}},
            ],
        )
        experiments.start(experiment, "admin@newsroom.example")
        assert give_once(client, variant="monthly-offer-offer").status_code == 200
        assert give_once(client, variant="monthly-offer-control").status_code == 303
        steps = db.session.scalars(select(Pledge.upsell).order_by(Pledge.id)).all()
        assert steps == [UpsellStep.OFFERED, UpsellStep.SKIPPED]


def test_an_accepted_offer_becomes_a_monthly_subscription_through_the_sandbox(make_app, sandbox):
    from tests.conftest import serving
    from tests.test_lifecycle_e2e import settle

    app = make_app(UPSELL_MONTHLY="on")
    with serving(app, sandbox) as url, app.app_context(), requests.Session() as browser:
        page = browser.get(f"{url}/support", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "frequency": "once", "amount": "10", "currency": "usd"}
        offer = browser.post(f"{url}/support", data=form, allow_redirects=False, timeout=10)
        assert "Make it $5 a month?" in offer.text
        pledge_id = re.search(r'name="pledge" type="hidden" value="([^"]+)"', offer.text).group(1)
        accepted = browser.post(
            f"{url}/support/upsell",
            data={"csrf_token": token, "pledge": pledge_id, "choice": "monthly",
                  "monthly_amount": "6"},
            allow_redirects=False,
            timeout=10,
        )  # fmt: skip
        assert accepted.status_code == 303
        assert pay(accepted.headers["Location"]).status_code == 303
        settle(sandbox)
        pledge = only_pledge()
        assert (pledge.frequency, pledge.amount, pledge.status, pledge.upsell) == (
            Frequency.MONTHLY,
            600,
            PledgeStatus.ACTIVE,
            UpsellStep.ACCEPTED,
        )
        assert pledge.subscription_id.startswith("sub_")
        assert [p.amount for p in pledge.payments] == [600]
