"""Anniversary e-mails and their one-click raise, on the real database and a real SMTP server:
which amount is offered, which pledges are due, the queue's idempotence, and every way the
link can refuse (expired, altered, used, the pledge cancelled or changed since)."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select, update

from donations.payments import anniversaries
from donations.payments.amounts import donation_rules, raise_to
from donations.payments.models import DonorNotice, Payment, Pledge, PledgeChange, UpgradeOffer
from donations.payments.money import Money
from donations.payments.notices import send_pending_notices
from donations.platform.extensions import db
from donations.platform.signing import signer
from tests.conftest import csrf_token
from tests.pledges import new_pledge

DAY = date(2026, 12, 6)


def first_paid(years: int, day: date = DAY) -> datetime:
    return datetime(day.year - years, day.month, day.day, 14, 30, tzinfo=UTC)


def running(
    amount: int = 500,
    frequency: str = "monthly",
    paid_at: datetime | None = None,
    email: str | None = "donor@example.org",
    **fields: object,
) -> Pledge:
    """A running recurring pledge whose first payment was `paid_at` (a year before DAY), and
    one more payment a month later."""
    pledge = new_pledge(frequency, amount, email)
    pledge.status = fields.pop("status", "active")
    pledge.subscription_id = f"sub_{pledge.public_id}"
    pledge.customer_id = f"cus_{pledge.public_id}"
    pledge.current_period_end = datetime(2027, 1, 6, tzinfo=UTC)
    for name, value in fields.items():
        setattr(pledge, name, value)
    paid_at = paid_at or first_paid(1)
    for n, when in enumerate([paid_at, paid_at + timedelta(days=31)]):
        db.session.add(
            Payment(
                pledge_id=pledge.id,
                stripe_invoice_id=f"in_{pledge.public_id}_{n}",
                amount=amount,
                currency=pledge.currency,
                paid_at=when,
            )
        )
    db.session.commit()
    return pledge


@pytest.fixture
def app(make_app, smtp_inbox):
    app = make_app(ANNIVERSARY_EMAILS=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        yield app


def queue(app, day: date = DAY):
    return app.test_cli_runner().invoke(args=["mail", "queue-anniversaries", "--on", f"{day}"])


# -- The amount offered ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "amount", "offered"),
    [
        ("monthly", 500, 1000),  # the next preset: 2, 5, 10, 20
        ("monthly", 300, 500),  # between presets: the next one up
        ("monthly", 150, 200),  # under the smallest preset
        ("monthly", 2000, 3000),  # the top preset: half as much again
        ("monthly", 2500, 3800),  # 37.50 rounds up to a whole 38
        ("annual", 5000, 10000),  # the annual presets: 25, 50, 100, 200
        ("annual", 20000, 30000),
        ("monthly", 990000, 1000000),  # half again would pass the 10,000 maximum
    ],
)
def test_the_raise_is_the_next_preset_or_half_again_within_the_maximum(
    app, frequency, amount, offered
):
    assert raise_to(donation_rules(), frequency, Money(amount, "usd")) == Money(offered, "usd")


def test_a_gift_at_the_maximum_is_offered_no_raise(app):
    assert raise_to(donation_rules(), "monthly", Money(1000000, "eur")) is None


# -- Which day is an anniversary ---------------------------------------------------------------


def test_an_anniversary_is_a_whole_number_of_years_after_the_first_payment_in_utc():
    paid = datetime(2025, 12, 6, 23, 59, tzinfo=UTC)
    assert anniversaries.anniversary_year(paid, date(2026, 12, 6)) == 1
    assert anniversaries.anniversary_year(paid, date(2028, 12, 6)) == 3
    assert anniversaries.anniversary_year(paid, date(2026, 12, 7)) is None
    assert anniversaries.anniversary_year(paid, date(2025, 12, 6)) is None  # the day itself


def test_a_first_payment_on_29_february_has_its_anniversary_on_the_28th_in_other_years():
    leap = datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert anniversaries.anniversary_year(leap, date(2025, 2, 28)) == 1
    assert anniversaries.anniversary_year(leap, date(2025, 3, 1)) is None
    assert anniversaries.anniversary_year(leap, date(2028, 2, 29)) == 4
    assert anniversaries.anniversary_year(leap, date(2028, 2, 28)) is None


def test_the_queue_finds_a_29_february_pledge_on_the_28th_of_a_common_year(app):
    pledge = running(paid_at=datetime(2024, 2, 29, 9, tzinfo=UTC))
    assert queue(app, date(2026, 2, 27)).output.startswith("0 ")
    assert queue(app, date(2026, 2, 28)).output.startswith("1 ")
    notice = db.session.scalar(select(DonorNotice).where(DonorNotice.pledge_id == pledge.id))
    assert notice.reference == "year 2"


# -- Queueing ----------------------------------------------------------------------------------


def test_only_running_recurring_pledges_on_their_anniversary_are_queued_and_only_once(app):
    monthly = running(500)
    annual = running(5000, "annual", paid_at=first_paid(2))
    running(500, paid_at=first_paid(1) + timedelta(days=1))  # tomorrow is its anniversary
    running(500, paid_at=first_paid(0))  # its first payment was today
    running(500, collection_paused=True)
    running(500, cancel_at_period_end=True)
    running(500, status="canceled")
    running(500, email=None)
    once = new_pledge("once", 1000, "gift@example.org")
    once.status = "paid"
    db.session.add(
        Payment(
            pledge_id=once.id,
            stripe_payment_intent_id="pi_once",
            amount=1000,
            currency="usd",
            paid_at=first_paid(1),
        )
    )
    db.session.commit()

    first = queue(app)
    assert first.exit_code == 0 and "2 anniversary e-mail(s) queued for 2026-12-06" in first.output
    notices = db.session.execute(select(DonorNotice.pledge_id, DonorNotice.reference)).all()
    assert sorted(notices) == sorted([(monthly.id, "year 1"), (annual.id, "year 2")])
    offers = {o.pledge_id: (o.year, o.amount_before, o.amount_offered) for o in all_offers()}
    assert offers == {monthly.id: (1, 500, 1000), annual.id: (2, 5000, 10000)}

    again = queue(app)
    assert again.exit_code == 0 and again.output.startswith("0 ")
    assert db.session.scalar(select(func.count()).select_from(DonorNotice)) == 2
    assert len(all_offers()) == 2


def test_nothing_is_queued_while_the_setting_is_off(make_app):
    app = make_app()  # ANNIVERSARY_EMAILS defaults to off
    with app.app_context():
        running(500)
        result = queue(app)
        assert result.exit_code == 0 and "ANNIVERSARY_EMAILS is off" in result.output
        assert db.session.scalar(select(func.count()).select_from(DonorNotice)) == 0


def test_a_day_that_is_not_a_date_is_refused_with_the_format(app):
    result = queue(app, "2026-13-01")
    assert result.exit_code == 2 and "use a date like 2026-11-01" in result.output


def all_offers() -> list[UpgradeOffer]:
    db.session.expire_all()
    return list(db.session.scalars(select(UpgradeOffer)))


# -- The e-mail --------------------------------------------------------------------------------


def test_the_email_thanks_says_the_total_and_links_the_raise(app, smtp_inbox):
    pledge = running(500)
    queue(app)
    assert send_pending_notices() == 1
    [message] = smtp_inbox.messages
    assert message["Subject"] == "Thank you for your support of The Moscow Times"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Thank you for a year of support" in text and "a year of support" in html
    assert "you have given $10." in text  # two payments of $5
    assert "Raise to $10 a month" in text and "Raise to $10 a month" in html
    link = re.search(r"http://localhost/support/raise/\S+", text).group(0)
    assert link in html
    assert anniversaries.offer_of(link.rsplit("/", 1)[1]).pledge_id == pledge.id


def test_a_gift_at_the_maximum_gets_the_thanks_without_an_offer(app, smtp_inbox):
    running(1000000)
    queue(app)
    send_pending_notices()
    text = smtp_inbox.messages[0].get_body(("plain",)).get_content()
    assert "Thank you for a year of support" in text and "Raise to" not in text
    assert all_offers() == []


def test_under_donor_safety_the_subject_is_neutral(make_app, smtp_inbox):
    app = make_app(
        ANNIVERSARY_EMAILS=True,
        DONOR_SAFETY=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_inbox.port,
    )
    with app.app_context():
        running(500)
        queue(app)
        send_pending_notices()
    assert smtp_inbox.messages[0]["Subject"] == "A note of thanks"


# -- The link ----------------------------------------------------------------------------------


def offer_link(app, pledge: Pledge) -> str:
    """The path of the link the pledge's anniversary e-mail carries."""
    queue(app)
    offer = db.session.scalar(select(UpgradeOffer).where(UpgradeOffer.pledge_id == pledge.id))
    return "/" + anniversaries.offer_url(offer).split("/", 3)[3]


def test_following_the_link_asks_to_confirm_and_changes_nothing(app):
    pledge = running(500)
    link = offer_link(app, pledge)
    page = app.test_client().get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Raise your monthly support from $5 to $10?" in text
    assert "It starts with your next payment on January 6, 2027" in text
    assert "no-store" in page.headers["Cache-Control"]
    db.session.expire_all()
    assert pledge.amount == 500 and db.session.scalar(select(func.count(PledgeChange.id))) == 0
    [offer] = all_offers()
    assert offer.opened_at is not None and offer.used_at is None


def test_the_confirm_button_needs_the_forms_token(app):
    pledge = running(500)
    link = offer_link(app, pledge)
    refused = app.test_client().post(link, data={})
    assert refused.status_code == 400
    [offer] = all_offers()
    assert offer.used_at is None


def test_an_altered_link_says_it_does_not_work(app):
    pledge = running(500)
    link = offer_link(app, pledge)
    client = app.test_client()
    assert client.get(link[:-3] + "abc").status_code == 400
    # The same offer with another amount, signed with another key: refused.
    [offer] = all_offers()
    forged = URLSafeTimedSerializer("not-our-key", salt="upgrade-offer")
    token = forged.dumps({"o": offer.id, "p": pledge.public_id, "b": 500, "a": 100000, "c": "usd"})
    page = client.get(f"/support/raise/{token}")
    assert page.status_code == 400 and "This link does not work" in page.get_data(as_text=True)


def test_a_link_naming_another_amount_than_its_offer_is_refused(app):
    pledge = running(500)
    offer_link(app, pledge)
    [offer] = all_offers()
    token = signer("upgrade-offer").dumps(
        {"o": offer.id, "p": pledge.public_id, "b": 500, "a": 100000, "c": "usd"}
    )
    assert app.test_client().get(f"/support/raise/{token}").status_code == 400


def test_an_expired_link_says_so(make_app):
    app = make_app(ANNIVERSARY_EMAILS=True, UPGRADE_LINK_MAX_AGE_SECONDS=1)
    with app.app_context():
        link = offer_link(app, running(500))
        time.sleep(2.1)
        page = app.test_client().get(link)
        assert page.status_code == 410 and "This link has expired" in page.get_data(as_text=True)


def test_a_used_link_says_it_was_used(app):
    pledge = running(500)
    link = offer_link(app, pledge)
    [offer] = all_offers()
    offer.used_at = datetime.now(UTC)
    db.session.commit()
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 410 and "already raised" in page.get_data(as_text=True)
    token = csrf_token(client, "/support/manage")
    assert client.post(link, data={"csrf_token": token}).status_code == 410


def test_a_pledge_cancelled_since_is_not_raised(app):
    pledge = running(500)
    link = offer_link(app, pledge)
    pledge.status = "canceled"
    db.session.commit()
    page = app.test_client().get(link)
    assert page.status_code == 409 and "no longer running" in page.get_data(as_text=True)


def test_a_pledge_whose_amount_changed_since_is_not_raised_from_the_old_amount(app):
    pledge = running(500)
    link = offer_link(app, pledge)
    pledge.amount = 700
    db.session.commit()
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 409
    assert "now $7, not $5" in page.get_data(as_text=True)
    token = csrf_token(client, "/support/manage")
    assert client.post(link, data={"csrf_token": token}).status_code == 409
    assert db.session.scalar(select(func.count(PledgeChange.id))) == 0


def test_stripe_refusing_the_raise_leaves_the_link_usable(app):
    pledge = running(500)  # its subscription is not one the sandbox knows: Stripe says 404
    link = offer_link(app, pledge)
    client = app.test_client()
    token = csrf_token(client, "/support/manage")
    page = client.post(link, data={"csrf_token": token})
    assert page.status_code == 502 and "the link still works" in page.get_data(as_text=True)
    [offer] = all_offers()
    assert offer.used_at is None
    assert db.session.scalar(select(func.count(PledgeChange.id))) == 0
    assert client.get(link).status_code == 200


def test_a_second_confirmation_racing_the_first_finds_the_offer_used(app):
    pledge = running(500)
    offer_link(app, pledge)
    [offer] = all_offers()
    # Another request claims it after this one read the offer (the object here is stale).
    db.session.execute(
        update(UpgradeOffer)
        .where(UpgradeOffer.id == offer.id)
        .values(used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(anniversaries.OfferUsed):
        anniversaries.accept(offer)  # never reaches Stripe: its subscription would be a 404
    assert db.session.scalar(select(func.count(PledgeChange.id))) == 0


def test_a_pledge_changed_between_queueing_and_sending_gets_the_thanks_without_the_link(
    app, smtp_inbox
):
    pledge = running(500)
    queue(app)
    pledge.amount = 2000
    db.session.commit()
    send_pending_notices()
    text = smtp_inbox.messages[0].get_body(("plain",)).get_content()
    assert "Thank you for a year of support" in text and "Raise to" not in text


def test_an_anniversary_another_machine_queued_first_is_not_queued_again(app):
    pledge = running(500)
    # The other machine's run committed its notice (without its offer, to tell them apart).
    db.session.add(DonorNotice(pledge_id=pledge.id, kind="anniversary", reference="year 1"))
    db.session.commit()
    assert queue(app).output.startswith("0 ")
    assert db.session.scalar(select(func.count()).select_from(DonorNotice)) == 1
    assert all_offers() == []
