"""The donation form: choices, validation in plain words, and the trip to Checkout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from donations.demo import DEMO_SLUG
from donations.payments.enums import PledgeStatus
from donations.payments.models import Pledge
from donations.platform.extensions import db
from tests.conftest import csrf_token


def button(page: str) -> str:
    """What the button says as the page comes."""
    return re.search(r'donate__label--current">([^<]*)<', page).group(1)


def checked(page: str, name: str) -> list[str]:
    """The values of the checked inputs called `name`; "amount" is the chosen tab's preset."""
    if name == "amount":
        name = f"amount_{checked(page, 'frequency')[0]}"
    inputs = re.findall(r"<input\b[^>]*>", page)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs
        if f'name="{name}"' in tag and re.search(r"\schecked\b", tag)
    ]


def donate(client, **fields):
    data = {"csrf_token": csrf_token(client), "frequency": "monthly", "amount": "5", **fields}
    return client.post("/support", data=data)


def only_pledge() -> Pledge:
    return db.session.scalars(select(Pledge)).one()


def test_form_defaults_to_monthly_with_its_presets(client):
    page = client.get("/support").get_data(as_text=True)
    assert checked(page, "frequency") == ["monthly"]
    assert checked(page, "amount") == ["5"]
    monthly = page[page.index('data-presets="monthly"') :]
    assert re.findall(r'class="amount-grid__label"[^>]*>([^<]+)<', monthly)[:4] == [
        "$2",
        "$5",
        "$10",
        "$20",
    ]
    assert button(page) == "Support $5/month"
    for brand in ("Visa", "Mastercard", "American Express"):
        assert brand in page


@pytest.mark.parametrize(
    "query, frequency, amount, label",
    [
        ("?frequency=annual&amount=50&currency=eur", "annual", "50", "Support €50/year"),
        ("?frequency=once&amount=25&currency=gbp", "once", "25", "Support £25"),
        ("?frequency=once&amount=13", "once", None, "Support $13"),
    ],
)
def test_query_string_prefills_the_form(client, query, frequency, amount, label):
    page = client.get("/support" + query).get_data(as_text=True)
    assert checked(page, "frequency") == [frequency]
    assert checked(page, "amount") == ([amount] if amount else [])
    assert button(page) == label


@pytest.mark.parametrize(
    "query",
    [
        "?frequency=weekly&amount=abc&currency=xyz",
        "?amount=-5",
        "?amount=1e9",
        "?amount=999999999999999999999",
        "?currency=%01&article=<script>",
    ],
)
def test_bad_query_values_are_ignored(client, query):
    response = client.get("/support" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert button(page) == "Support $5/month"
    assert "<script>" not in page


@pytest.mark.parametrize(
    "query, kept, label, problem, offer",
    [
        ("?frequency=once&amount=0.50", "0.50", "Support $0.50", "is $1.", "Give $1 instead"),
        ("?amount=1", "1", "Support $1/month", "starts at $2/month.", "Give $2/month instead"),
        (
            "?amount=20000",
            "20000",
            "Support $20,000/month",
            "The most we can take online is $10,000.",
            "Give $10,000/month instead",
        ),
        (
            "?frequency=annual&amount=7&currency=eur",
            "7",
            "Support €7/year",
            "Annual support starts at €10/year.",
            "Give €10/year instead",
        ),
    ],
)
def test_an_amount_outside_the_rules_is_kept_explained_and_the_nearest_offered(
    client, query, kept, label, problem, offer
):
    page = client.get("/support" + query).get_data(as_text=True)
    assert checked(page, "amount") == []
    assert re.search(rf'name="other_amount"[^>]*value="{re.escape(kept)}"', page)
    assert button(page) == label
    assert re.search(rf'id="amount-error" data-amount-error>[^<]*{re.escape(problem)}', page)
    assert re.search(rf"data-suggest=\"\d+\">{re.escape(offer)}</a>", page)


def test_valid_one_off_gift_creates_a_pending_pledge_and_goes_to_checkout(app, client, sandbox):
    response = donate(
        client,
        frequency="once",
        amount="25",
        currency="eur",
        email=" Reader@Example.org ",
        article=DEMO_SLUG,
        placement="article-end",
    )
    assert response.status_code == 303
    assert response.location.startswith(sandbox.url + "/c/pay/cs_test_")
    with app.app_context():
        pledge = only_pledge()
        assert (pledge.frequency, pledge.amount, pledge.currency) == ("once", 2500, "eur")
        assert pledge.email == "reader@example.org"
        assert pledge.status == PledgeStatus.PENDING
        assert (pledge.article_slug, pledge.placement) == (DEMO_SLUG, "article-end")
        assert response.location.endswith(pledge.checkout_session_id)


def test_other_amount_wins_over_the_preset(app, client):
    assert donate(client, amount="5", other_amount="7.50").status_code == 303
    with app.app_context():
        assert only_pledge().amount == 750


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"frequency": "monthly", "other_amount": "1"}, "Monthly support starts at $2/month."),
        ({"frequency": "annual", "amount": "5"}, "Annual support starts at $10/year."),
        ({"frequency": "once", "other_amount": "0.50"}, "The smallest gift we can take is $1."),
        ({"other_amount": "10001"}, "The most we can take online is $10,000."),
        ({"other_amount": "lots"}, "Please enter the amount as a number"),
        ({"other_amount": "3.333"}, "at most two decimal places"),
        ({"amount": ""}, "Please enter an amount."),
        ({"currency": "xyz"}, "We accept USD, EUR, GBP."),
        ({"frequency": "weekly"}, "Please choose once, monthly or annual."),
        ({"email": "not-an-address"}, "Please check your e-mail address"),
    ],
)
def test_invalid_choices_are_explained_and_kept(app, client, fields, message):
    response = donate(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "There is a problem" in page
    if "other_amount" in fields:
        assert f'value="{fields["other_amount"]}"' in page
    with app.app_context():
        assert db.session.scalars(select(Pledge)).all() == []


def test_an_article_from_another_of_the_newsrooms_sites_is_kept_as_attribution(app, client):
    # Partner sites embed the prompts for their own articles, which this database does not hold.
    assert donate(client, article="partner-site-story", placement="banner").status_code == 303
    with app.app_context():
        assert (only_pledge().article_slug, only_pledge().placement) == (
            "partner-site-story",
            "banner",
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"placement": "popup-from-elsewhere"},
        {"article": "Not A Slug!"},
        {"prompt": "<script>"},
        {"variant": "x" * 61},
    ],
)
def test_tampered_hidden_fields_are_refused(app, client, fields):
    response = donate(client, **fields)
    assert response.status_code == 400
    assert "Something in this form was changed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Pledge)).all() == []


def test_missing_csrf_token_is_refused_but_choices_are_kept(client):
    response = client.post("/support", data={"frequency": "annual", "other_amount": "75"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "for your security we did not send it" in page
    assert checked(page, "frequency") == ["annual"]
    assert 'value="75"' in page


def test_stripe_unreachable_keeps_the_pledge_and_says_nothing_was_charged(make_app):
    app = make_app(stripe_api_base="http://127.0.0.1:9")  # nothing listens there
    client = app.test_client()
    response = donate(client, frequency="once", amount="10")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Nothing was charged" in page
    assert checked(page, "frequency") == ["once"]
    with app.app_context():
        pledge = only_pledge()
        assert pledge.status == PledgeStatus.CHECKOUT_FAILED
        assert "APIConnectionError" in pledge.checkout_error


def test_stripe_refusing_the_request_is_a_502(make_app):
    app = make_app(STRIPE_SECRET_KEY="rk_test_nope")
    client = app.test_client()
    response = donate(client)
    assert response.status_code == 502
    assert "Nothing was charged" in response.get_data(as_text=True)
    with app.app_context():
        pledge = only_pledge()
        assert pledge.status == PledgeStatus.CHECKOUT_FAILED


def test_checkout_session_carries_the_pledge(app, client, sandbox):
    import stripe

    donate(client, frequency="annual", amount="100", currency="gbp", article=DEMO_SLUG)
    with app.app_context():
        pledge = only_pledge()
        stripe_client = stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})
        session = stripe_client.v1.checkout.sessions.retrieve(pledge.checkout_session_id)
    assert session.mode == "subscription"
    assert session.client_reference_id == pledge.public_id
    assert session.metadata["pledge_id"] == pledge.public_id
    assert (session.amount_total, session.currency) == (10000, "gbp")
    assert "/support/thank-you?session_id=" in session.success_url
    assert session.cancel_url.endswith(f"/support/cancelled?pledge={pledge.public_id}")


def test_cancelled_checkout_brings_the_reader_back_to_a_prefilled_form(app, client):
    donate(client, frequency="annual", amount="200", currency="eur")
    with app.app_context():
        public_id = only_pledge().public_id
    page = client.get(f"/support/cancelled?pledge={public_id}").get_data(as_text=True)
    assert "No payment was taken" in page
    assert checked(page, "frequency") == ["annual"]
    assert checked(page, "amount") == ["200"]
    assert button(page) == "Support €200/year"


def test_donations_that_reach_stripe_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, DONATE_RATE_LIMIT="3/minute")
    client = app.test_client()
    statuses = [donate(client).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]


def test_failed_validations_do_not_count_towards_the_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, DONATE_RATE_LIMIT="2/minute")
    client = app.test_client()
    statuses = [donate(client, other_amount="1").status_code for _ in range(5)]
    statuses += [donate(client).status_code for _ in range(3)]
    assert statuses == [422] * 5 + [303, 303, 429]


def test_a_rate_limited_reader_keeps_their_choice_and_learns_when_to_retry(make_app):
    app = make_app(RATELIMIT_ENABLED=True, DONATE_RATE_LIMIT="1/minute")
    client = app.test_client()
    donate(client)
    response = donate(client, frequency="annual", other_amount="75", currency="eur")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert re.search(r"please try again in \d+ seconds", page)
    assert checked(page, "frequency") == ["annual"]
    assert 'value="75"' in page
    assert button(page) == "Support €75/year"
    assert "per 1 minute" not in page


@pytest.mark.parametrize(
    "query, status, text",
    [
        ("", 400, "This link is incomplete"),
        ("?session_id=cs_test_unknown", 404, "We could not find this donation"),
        ("?session_id=%27%3B--", 400, "This link is incomplete"),
    ],
)
def test_thank_you_page_with_a_bad_session_id(client, query, status, text):
    response = client.get("/support/thank-you" + query)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_thank_you_page_waits_for_the_webhook(app, client):
    donate(client, frequency="monthly", amount="10")
    with app.app_context():
        pledge = only_pledge()
        session_id = pledge.checkout_session_id
    page = client.get(f"/support/thank-you?session_id={session_id}").get_data(as_text=True)
    assert "Confirming your payment…" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    with app.app_context():
        pledge = only_pledge()
        pledge.move_to(PledgeStatus.ACTIVE)
        db.session.commit()
    page = client.get(f"/support/thank-you?session_id={session_id}").get_data(as_text=True)
    assert "Thank you — $10 every month" in page
    assert "http-equiv" not in page


def test_a_filled_honeypot_is_refused(app, client):
    response = donate(client, website="http://spam.example")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(Pledge)).all() == []


def test_one_browser_session_is_throttled_even_from_many_addresses(make_app):
    app = make_app(RATELIMIT_ENABLED=True, DONATE_SESSION_RATE_LIMIT="2/minute")
    client = app.test_client()
    token = csrf_token(client)
    statuses = [
        client.post(
            "/support",
            data={"csrf_token": token, "frequency": "monthly", "other_amount": "5"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [303, 303, 429]


def test_the_bot_challenge_is_checked_when_configured(make_app, challenge_provider):
    app = make_app(
        DONATION_CHALLENGE_SECRET="turnstile-secret",
        DONATION_CHALLENGE_SITE_KEY="site-key",
        DONATION_CHALLENGE_VERIFY_URL=challenge_provider,
    )
    client = app.test_client()
    assert 'data-sitekey="site-key"' in client.get("/support").get_data(as_text=True)
    refused = donate(client, **{"cf-turnstile-response": "forged"})
    assert refused.status_code == 400
    assert "not a robot" in refused.get_data(as_text=True)
    assert donate(client, **{"cf-turnstile-response": "good-token"}).status_code == 303


@pytest.fixture
def challenge_provider():
    """A local stand-in for the challenge provider's verify endpoint (the real one is online)."""
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    @Request.application
    def verify(request):
        ok = request.form.get("secret") == "turnstile-secret" and (
            request.form.get("response") == "good-token"
        )
        return Response(f'{{"success": {"true" if ok else "false"}}}', mimetype="application/json")

    server = make_server("127.0.0.1", 0, verify)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/siteverify"
    server.shutdown()
    server.server_close()


def test_the_chosen_tabs_own_preset_is_the_amount(app, client):
    fields = {"amount_once": "25", "amount_monthly": "5", "amount_annual": "50"}
    response = client.post(
        "/support", data={"csrf_token": csrf_token(client), "frequency": "once", **fields}
    )
    assert response.status_code == 303
    with app.app_context():
        assert (only_pledge().frequency, only_pledge().amount) == ("once", 2500)


def test_every_tab_has_its_presets_and_button_words_in_the_page(client):
    page = client.get("/support").get_data(as_text=True)
    assert checked(page, "amount_once") == ["10"]
    assert checked(page, "amount_annual") == ["50"]
    assert (
        '<span class="donate__label" data-label="amount-once-1" hidden>Support $10</span>' in page
    )
    assert 'data-label="amount-annual-3" hidden>Support $200/year</span>' in page


def test_a_refused_form_has_an_error_summary_that_takes_the_focus_and_links_to_the_field(client):
    page = donate(client, other_amount="1").get_data(as_text=True)
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', page, re.S).group(0)
    assert "autofocus" in summary
    assert '<a href="#other_amount">Monthly support starts at $2/month.</a>' in summary
    assert 'id="other_amount"' in page


def test_a_gift_above_the_maximum_is_told_where_to_write(client):
    page = donate(client, other_amount="10001").get_data(as_text=True)

    assert "For a larger gift, please write to us at support@example.org." in page


def test_a_currency_changed_without_the_script_is_shown_before_anything_is_charged(app, client):
    response = donate(client, frequency="once", amount="25", currency="eur", shown_currency="usd")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The amounts are now shown in EUR. Please check your choice and continue." in page
    assert '<a href="#currency">' in page
    assert button(page) == "Support €25"
    assert 'name="shown_currency" type="hidden" value="eur"' in page
    with app.app_context():
        assert db.session.scalars(select(Pledge)).first() is None


def test_a_currency_the_page_showed_goes_on_to_checkout(app, client, sandbox):
    response = donate(client, frequency="once", amount="25", currency="eur", shown_currency="eur")
    assert response.status_code == 303
    with app.app_context():
        assert (only_pledge().amount, only_pledge().currency) == (2500, "eur")
