"""Abandoned Checkout as Stripe does it: promotional consent on the page, the payer's e-mail
kept on the open session, and `after_expiration.recovery` giving an expired session a URL that
opens a copy of it."""

import requests
import stripe

from .helpers import pay as pay_session
from .helpers import session_params

DECLINED_CARD = "4000 0000 0000 0002"
RECOVERY = {"after_expiration": {"recovery": {"enabled": True}}}
CONSENT = {"consent_collection": {"promotions": "auto"}}


def test_the_promotions_checkbox_shows_only_when_consent_is_collected(client) -> None:
    asked = client.v1.checkout.sessions.create(params=session_params(**CONSENT))
    plain = client.v1.checkout.sessions.create(params=session_params())

    assert 'name="promotions"' in requests.get(asked.url, timeout=10).text
    assert 'name="promotions"' not in requests.get(plain.url, timeout=10).text


def test_a_declined_payer_leaves_their_email_and_consent_on_the_session(client) -> None:
    session = client.v1.checkout.sessions.create(params=session_params(**CONSENT))

    pay_session(session.url, DECLINED_CARD, email="left@example.com", promotions="opt_in")
    kept = client.v1.checkout.sessions.retrieve(session.id)

    assert kept.customer_details.email == "left@example.com"
    assert kept.consent.promotions == "opt_in"


def test_an_unticked_box_is_an_opt_out(client) -> None:
    session = client.v1.checkout.sessions.create(params=session_params(**CONSENT))

    pay_session(session.url, DECLINED_CARD)

    assert client.v1.checkout.sessions.retrieve(session.id).consent.promotions == "opt_out"


def test_an_expired_session_with_recovery_gets_a_url_for_30_days(client, server) -> None:
    session = client.v1.checkout.sessions.create(params=session_params(**RECOVERY))
    assert session.after_expiration.recovery.url is None

    expired = client.v1.checkout.sessions.expire(session.id)

    recovery = expired.after_expiration.recovery
    assert recovery.enabled is True
    assert recovery.url == f"{server.url}/c/recover/{session.id}"
    assert recovery.expires_at - expired.created >= 30 * 24 * 3600


def test_without_recovery_an_expired_session_has_no_url(client) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    assert client.v1.checkout.sessions.expire(session.id).after_expiration is None


def test_the_recovery_url_opens_a_copy_that_names_the_session_it_recovers(client) -> None:
    session = client.v1.checkout.sessions.create(params=session_params(**RECOVERY))
    expired = client.v1.checkout.sessions.expire(session.id)

    opened = requests.get(expired.after_expiration.recovery.url, allow_redirects=False, timeout=10)
    copy_id = opened.headers["Location"].rsplit("/", 1)[1]
    copy = client.v1.checkout.sessions.retrieve(copy_id)

    assert opened.status_code == 303
    assert copy.id != session.id and copy.status == "open"
    assert copy.recovered_from == session.id
    assert (copy.amount_total, copy.metadata.to_dict()) == (1000, {"pledge_id": "pledge_123"})
    assert pay_session(copy.url).status_code == 303


def test_an_open_session_has_no_recovery_page(client, server) -> None:
    session = client.v1.checkout.sessions.create(params=session_params(**RECOVERY))

    assert requests.get(f"{server.url}/c/recover/{session.id}", timeout=10).status_code == 404


def test_a_recovery_url_past_its_30_days_is_gone(client, server) -> None:
    session = client.v1.checkout.sessions.create(params=session_params(**RECOVERY))
    expired = client.v1.checkout.sessions.expire(session.id)
    requests.post(f"{server.url}/_sandbox/clock/advance", data={"days": 31}, timeout=10)

    assert requests.get(expired.after_expiration.recovery.url, timeout=10).status_code == 410


def test_recovery_parameters_are_checked_as_stripe_publishes_them(client) -> None:
    bad = session_params(after_expiration={"recovery": {"enabled": True, "colour": "red"}})
    try:
        client.v1.checkout.sessions.create(params=bad)
    except stripe.InvalidRequestError as error:
        assert error.code == "parameter_unknown"
    else:
        raise AssertionError("an unknown parameter was accepted")
