"""Signing in: one message for every refusal, a throttle no stranger can turn against the owner,
the owner told by e-mail, and only dashboard pages to return to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.staff.models import SignInThrottle
from donations.staff.views import SIGN_IN_REFUSED
from tests.conftest import csrf_token
from tests.staff.conftest import ADMIN_EMAIL, PASSWORD, VIEWER_EMAIL, sign_in

FREE = 5  # STAFF_SIGN_IN_FREE_ATTEMPTS's default


def test_right_password_signs_in_and_goes_to_the_overview(client, staff):
    response = sign_in(client, ADMIN_EMAIL)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert "Overview" in client.get("/staff/").get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, staff):
    token = csrf_token(client, "/staff/login")
    form = {"csrf_token": token, "email": ADMIN_EMAIL, "password": PASSWORD}
    to_pledges = client.post("/staff/login?next=/staff/pledges?status=active", data=form)
    assert to_pledges.headers["Location"] == "/staff/pledges?status=active"
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/pledges")})
    token = csrf_token(client, "/staff/login")
    away = client.post("/staff/login?next=//evil.example/staff", data={**form, "csrf_token": token})
    assert away.headers["Location"] == "/staff/"


@pytest.mark.parametrize(
    "target",
    [
        "/staff/\r\nSet-Cookie: x=1",
        "/staff/pledges\nLocation: https://evil.example",
        "/staff/%0d%0a",
        "/staff/\x7f",
        "/staff/no-such-page",
        "/support",
        "https://evil.example/staff/",
    ],
)
def test_a_next_that_is_not_a_dashboard_page_goes_to_the_overview(client, staff, target):
    token = csrf_token(client, "/staff/login")
    form = {"csrf_token": token, "email": ADMIN_EMAIL, "password": PASSWORD}
    response = client.post("/staff/login", query_string={"next": target}, data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_and_unknown_email_get_the_same_words(client, staff):
    wrong = sign_in(client, ADMIN_EMAIL, "not the password").get_data(as_text=True)
    unknown = sign_in(client, "nobody@newsroom.example").get_data(as_text=True)
    assert SIGN_IN_REFUSED in wrong
    assert SIGN_IN_REFUSED in unknown
    assert client.get("/staff/").status_code == 302


def fail(client, email: str, times: int, **request) -> list[int]:
    return [sign_in(client, email, "a wrong guess", **request).status_code for _ in range(times)]


def let_the_wait_pass(app) -> None:
    with app.app_context():
        db.session.execute(update(SignInThrottle).values(wait_until=utcnow()))
        db.session.commit()


def test_after_the_free_tries_each_try_waits_twice_as_long(app, client, staff):
    assert fail(client, VIEWER_EMAIL, FREE) == [401] * FREE
    waited = []
    for _ in range(3):
        throttled = sign_in(client, VIEWER_EMAIL)  # even the right password waits
        assert throttled.status_code == 429
        assert "Too many wrong passwords" in throttled.get_data(as_text=True)
        waited.append(int(throttled.headers["Retry-After"]))
        let_the_wait_pass(app)
        assert fail(client, VIEWER_EMAIL, 1) == [401]
    assert waited == [1, 2, 4]
    let_the_wait_pass(app)
    assert sign_in(client, VIEWER_EMAIL).status_code == 302


def test_the_wait_stops_at_its_cap(make_app, staff):
    app = make_app(STAFF_SIGN_IN_FREE_ATTEMPTS=1, STAFF_SIGN_IN_MAX_WAIT_MINUTES=2)
    client = app.test_client()
    for _ in range(12):
        let_the_wait_pass(app)
        fail(client, VIEWER_EMAIL, 1)
    assert int(sign_in(client, VIEWER_EMAIL).headers["Retry-After"]) == 120


def test_an_unknown_email_is_throttled_just_like_an_account(app, staff):
    answers = []
    for number, email in enumerate((VIEWER_EMAIL, "nobody@newsroom.example")):
        client, address = app.test_client(), {"REMOTE_ADDR": f"192.0.2.{number + 1}"}
        assert fail(client, email, FREE, environ_base=address) == [401] * FREE
        throttled = sign_in(client, email, environ_base=address)
        answers.append((throttled.status_code, throttled.headers["Retry-After"]))
        assert "Too many wrong passwords" in throttled.get_data(as_text=True)
    assert answers == [(429, "1"), (429, "1")]


def test_one_address_trying_many_accounts_waits(app, staff):
    client = app.test_client()
    for number in range(FREE):
        assert fail(client, f"guess{number}@newsroom.example", 1) == [401]
    assert sign_in(client, ADMIN_EMAIL).status_code == 429
    # Another address is not held up by this one.
    elsewhere = app.test_client()
    assert (
        sign_in(elsewhere, ADMIN_EMAIL, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code
        == 302
    )


def test_a_strangers_guesses_never_keep_the_owner_out_of_their_own_browser(app, staff):
    owner = app.test_client()
    assert sign_in(owner, ADMIN_EMAIL).status_code == 302  # this browser is now trusted
    owner.post("/staff/logout", data={"csrf_token": csrf_token(owner, "/staff/pledges")})
    stranger = app.test_client()
    for _ in range(4):  # five wrong passwords every quarter of an hour, and more
        fail(stranger, ADMIN_EMAIL, FREE)
        let_the_wait_pass(app)
    assert fail(stranger, ADMIN_EMAIL, 1) == [401]
    assert sign_in(stranger, ADMIN_EMAIL).status_code == 429
    assert sign_in(owner, ADMIN_EMAIL).status_code == 302


def test_a_trusted_browser_has_its_own_count(app, staff):
    owner = app.test_client()
    assert sign_in(owner, ADMIN_EMAIL).status_code == 302
    owner.post("/staff/logout", data={"csrf_token": csrf_token(owner, "/staff/pledges")})
    assert fail(owner, ADMIN_EMAIL, FREE) == [401] * FREE
    assert sign_in(owner, ADMIN_EMAIL).status_code == 429
    # The count was this browser's: a new browser on another address may still try.
    other = app.test_client()
    assert sign_in(other, ADMIN_EMAIL, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 302


def test_the_trusted_browser_cookie_is_for_staff_pages_only_and_unreadable_by_scripts(
    client, staff
):
    response = sign_in(client, ADMIN_EMAIL)
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("staff_device=")]
    assert "Path=/staff" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_the_owner_is_told_by_email_once_the_answer_has_gone(make_app, staff, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    client = app.test_client()
    for _ in range(FREE - 1):
        sign_in(client, ADMIN_EMAIL, "a wrong guess").close()
    assert smtp_inbox.messages == []
    last = sign_in(client, ADMIN_EMAIL, "a wrong guess", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert last.status_code == 401
    assert smtp_inbox.messages == []  # not while the answer is being made
    last.close()
    [message] = smtp_inbox.messages
    assert message["To"] == ADMIN_EMAIL
    text = message.get_content()
    assert f"{FREE} times" in text and "192.0.2.1" in text
    # Told once, however long the guessing goes on.
    let_the_wait_pass(app)
    sign_in(client, ADMIN_EMAIL, "a wrong guess").close()
    assert len(smtp_inbox.messages) == 1


def test_guesses_at_an_unknown_email_tell_nobody(make_app, staff, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    client = app.test_client()
    for _ in range(FREE):
        sign_in(client, "nobody@newsroom.example", "a wrong guess").close()
    assert smtp_inbox.messages == []


def test_failures_are_forgotten_after_a_quiet_day(app, client, staff):
    fail(client, VIEWER_EMAIL, FREE)
    with app.app_context():
        a_day_ago = utcnow() - timedelta(days=1, minutes=1)
        db.session.execute(
            update(SignInThrottle).values(last_failed_at=a_day_ago, wait_until=a_day_ago)
        )
        db.session.commit()
    assert fail(client, VIEWER_EMAIL, 1) == [401]
    assert sign_in(client, VIEWER_EMAIL).status_code == 302


def test_the_throttle_keeps_no_address_or_email_in_clear(app, client, staff):
    fail(client, "typo@newsroom.example", 1)
    with app.app_context():
        keys = [row.key for row in db.session.scalars(db.select(SignInThrottle))]
    assert len(keys) == 2
    assert all(len(key) == 64 and "@" not in key and "127.0.0.1" not in key for key in keys)


def test_sign_in_is_rate_limited(make_app, staff):
    app = make_app(RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "nobody@newsroom.example").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
