"""A reader who starts something on a Russian page (a gift, a reminder, a newsletter sign-up) is
written to in Russian later: subjects, words, money and dates by the Russian locale, Russian
plurals, links that keep `lang=ru`; and Checkout is asked in Russian too. English is unchanged.

Over real HTTP with a sandbox of its own, the real `stripe` SDK, and a real SMTP server.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
import stripe
from babel.dates import format_date
from flask import render_template
from sqlalchemy import select

from donations.newsletter.models import NewsletterSubscriber
from donations.newsletter.service import send_confirmations as send_newsletter_confirmations
from donations.payments.models import Payment, Pledge
from donations.platform.extensions import db
from donations.platform.i18n import speaking
from donations.reminders.models import Reminder
from donations.reminders.service import confirm, send_due
from donations.reminders.service import send_confirmations as send_reminder_confirmations
from tests.checkout import pay
from tests.conftest import csrf_token
from tests.test_thank_you_goes_on import TOKEN, settle

NBSP = "\xa0"  # Babel's Russian money: "25 $" with a no-break space


@pytest.fixture
def stripe_client(own_sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(
        "sk_test_sandbox", base_addresses={"api": own_sandbox.url}, max_network_retries=0
    )


def start_gift(browser: requests.Session, url: str, query: str, frequency: str, amount: str):
    """The donation form posted from the page `query` names; returns Checkout's address."""
    page = browser.get(f"{url}/support{query}", timeout=10).text
    form = {
        "csrf_token": TOKEN.search(page).group(1),
        "frequency": frequency,
        "amount": amount,
        "currency": "usd",
        "email": "donor@example.org",
    }
    checkout = browser.post(f"{url}/support{query}", data=form, allow_redirects=False, timeout=10)
    assert checkout.status_code == 303, checkout.text
    return checkout.headers["Location"]


def latest_pledge() -> Pledge:
    db.session.expire_all()
    return db.session.scalars(select(Pledge).order_by(Pledge.id.desc())).first()


def test_a_gift_from_a_russian_page_is_thanked_in_russian(world):
    _, url, sandbox, inbox = world
    with requests.Session() as browser:
        checkout_url = start_gift(browser, url, "?lang=ru", "monthly", "25")
        assert pay(checkout_url, email="donor@example.org").status_code == 303
    settle(sandbox)
    pledge = latest_pledge()
    assert pledge.language == "ru"

    [mail] = inbox.messages
    assert mail["Subject"] == "Спасибо, что поддерживаете The Moscow Times"
    text = mail.get_body(("plain",)).get_content()
    assert "Оно повторяется каждый месяц, пока вы его не остановите." in text
    assert f"  Сумма:      25{NBSP}$" in text
    assert f"  Дата:       {format_date(pledge.payments[0].paid_at, 'long', locale='ru')}" in text
    assert "г." in text  # "6 декабря 2026 г.": the Russian long date
    assert "Назначение: Ежемесячная поддержка The Moscow Times" in text
    manage = re.search(r"(http://127\.0\.0\.1:\d+/support/manage/\S+)", text).group(1)
    assert "lang=ru" in manage
    assert "Thank" not in text and "Amount" not in text
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="ru">' in html
    assert "Управление пожертвованием" in html


def test_an_english_gift_is_thanked_in_english_without_lang_in_its_links(world):
    _, url, sandbox, inbox = world
    with requests.Session() as browser:
        assert pay(start_gift(browser, url, "", "once", "10"), email="donor@example.org")
    settle(sandbox)
    assert latest_pledge().language == "en"
    [mail] = inbox.messages
    assert mail["Subject"] == "Thank you for supporting The Moscow Times"
    text = mail.get_body(("plain",)).get_content()
    assert "  Amount:     $10" in text and "lang=" not in text
    assert '<html lang="en">' in mail.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    ("query", "locale", "product", "description"),
    [
        (
            "?lang=ru",
            "ru",
            "Поддержка The Moscow Times",
            f"Разовая поддержка The Moscow Times: 10{NBSP}$",
        ),
        ("", "en", "Support The Moscow Times", "One-off support for The Moscow Times: $10"),
    ],
)
def test_checkout_is_asked_in_the_pledges_language(
    world, stripe_client, query, locale, product, description
):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        checkout_url = start_gift(browser, url, query, "once", "10")
        hosted = browser.get(checkout_url, timeout=10).text
        assert pay(checkout_url, email="donor@example.org").status_code == 303
    settle(sandbox)
    pledge = latest_pledge()
    session = stripe_client.v1.checkout.sessions.retrieve(pledge.checkout_session_id)
    assert session.locale == locale
    # The sandbox's hosted page shows the product name Checkout was given.
    assert product in hosted
    intent = stripe_client.v1.payment_intents.retrieve(pledge.payment_intent_id)
    assert intent.description == description


def test_a_reminder_asked_for_on_a_russian_page_is_confirmed_and_sent_in_russian(
    make_app, smtp_inbox
):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    client = app.test_client()
    page = client.get("/remind-me?lang=ru").get_data(as_text=True)
    month = re.search(r'name="month" type="radio" value="([0-9-]+)"', page).group(1)
    answer = client.post(
        "/remind-me?lang=ru",
        data={
            "csrf_token": csrf_token(client, "/remind-me?lang=ru"),
            "email": "reader@example.org",
            "month": month,
            "consent": "y",
        },
    )
    assert answer.status_code == 200
    first_day = date.fromisoformat(f"{month}-01")
    in_russian = format_date(first_day, "LLLL y", locale="ru")  # "май 2027"
    with app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert reminder.language == "ru"
        code = reminder.cancel_code
        assert send_reminder_confirmations() == 1
        [asked] = smtp_inbox.messages
        assert asked["Subject"] == "Подтвердите напоминание от The Moscow Times"
        text = asked.get_body(("plain",)).get_content()
        assert f"Месяц напоминания: {in_russian}." in text
        assert "в течение 30 дней." in text
        assert re.search(rf"/reminders/{code}/confirm\?lang=ru\s", text)
        confirm(code)
        when = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
        assert send_due(when) == 1
    reminded = smtp_inbox.messages[-1]
    assert reminded["Subject"] == "Напоминание: поддержите The Moscow Times"
    text = reminded.get_body(("plain",)).get_content()
    assert f"Вы просили напомнить вам о нас в этом месяце ({in_russian})." in text
    assert f"всего от 2{NBSP}$:" in text
    donate = re.search(r"(http://localhost/support\S+)", text).group(1)
    assert "lang=ru" in donate and "placement=reminder" in donate
    html = reminded.get_body(("html",)).get_content()
    assert "Поддержите The Moscow Times" in html and '<html lang="ru">' in html


def test_a_newsletter_sign_up_on_a_russian_page_is_confirmed_in_russian(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    client = app.test_client()
    answer = client.post(
        "/newsletter?lang=ru",
        data={"email": "reader@example.org"},
        headers={"Origin": "http://localhost"},
    )
    assert answer.status_code in (200, 303), answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(NewsletterSubscriber)).one().language == "ru"
        assert send_newsletter_confirmations() == 1
    [message] = smtp_inbox.messages
    assert message["Subject"] == "Подтвердите подписку на рассылку The Moscow Times"
    text = message.get_body(("plain",)).get_content()
    assert "бесплатную еженедельную рассылку" in text
    assert "нажмите «Да, подпишите меня»" in text
    confirm_path = re.search(r"http://localhost(/newsletter/confirm/\S+)", text).group(1)
    assert confirm_path.endswith("?lang=ru")
    assert client.get(confirm_path).status_code == 200
    assert "lang=ru" in message["List-Unsubscribe"]
    assert "Подтвердить подписку" in message.get_body(("html",)).get_content()


def test_the_year_end_statement_speaks_the_language_the_donor_gave_in_last(app, smtp_inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        for language, amount in (("en", 1000), ("ru", 500)):
            pledge = Pledge(
                frequency="once", amount=amount, currency="usd", email="ana@example.org"
            )
            pledge.language = language
            db.session.add(pledge)
            db.session.flush()
            paid = datetime(2026, 6, 1, 12, tzinfo=UTC)
            db.session.add(
                Payment(
                    pledge_id=pledge.id,
                    stripe_payment_intent_id=f"pi_{pledge.public_id}",
                    amount=amount,
                    currency="usd",
                    paid_at=paid,
                )
            )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["receipts", "year-end", "2026"])
    assert result.exit_code == 0, result.output
    [mail] = smtp_inbox.messages
    assert mail["Subject"] == "Ваши пожертвования The Moscow Times за 2026 год"
    text = mail.get_body(("plain",)).get_content()
    assert "(2 платежа, за вычетом возвратов)" in text
    assert f"15{NBSP}$" in text


@pytest.mark.parametrize(
    ("payments", "words"),
    [
        (1, "1 платёж"),
        (2, "2 платежа"),
        (4, "4 платежа"),
        (5, "5 платежей"),
        (11, "11 платежей"),
        (21, "21 платёж"),
        (22, "22 платежа"),
    ],
)
def test_the_statement_counts_payments_with_russian_plurals(app, payments, words):
    with app.test_request_context("/"), speaking("ru"):
        for kind in ("txt", "html"):
            text = render_template(
                f"emails/year_end_statement.{kind}",
                newsroom="The Moscow Times",
                year=2026,
                totals=[],
                payments=payments,
            )
            assert f"({words}, за вычетом возвратов)" in text
