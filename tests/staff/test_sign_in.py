"""Signing in: one message for every refusal, lock-out after repeated failures, safe cookies."""

from __future__ import annotations

from datetime import timedelta

from donations.extensions import db
from donations.models import utcnow
from donations.staff import auth
from donations.staff.views import SIGN_IN_REFUSED
from tests.conftest import csrf_token
from tests.staff.conftest import ADMIN_EMAIL, PASSWORD, VIEWER_EMAIL, sign_in


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


def test_wrong_password_and_unknown_email_get_the_same_words(client, staff):
    wrong = sign_in(client, ADMIN_EMAIL, "not the password").get_data(as_text=True)
    unknown = sign_in(client, "nobody@newsroom.example").get_data(as_text=True)
    assert SIGN_IN_REFUSED in wrong
    assert SIGN_IN_REFUSED in unknown
    assert client.get("/staff/").status_code == 302


def test_repeated_failures_lock_the_account_even_against_the_right_password(app, client, staff):
    for _ in range(app.config["STAFF_LOCKOUT_ATTEMPTS"]):
        assert sign_in(client, VIEWER_EMAIL, "guess").status_code == 401
    locked = sign_in(client, VIEWER_EMAIL)
    assert locked.status_code == 401
    assert SIGN_IN_REFUSED in locked.get_data(as_text=True)
    # The admin's account is untouched by the viewer's lock.
    assert sign_in(app.test_client(), ADMIN_EMAIL).status_code == 302
    with app.app_context():
        user = auth.find_staff(VIEWER_EMAIL)
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        user.locked_until = utcnow() - timedelta(seconds=1)  # the lock has run out
        db.session.commit()
    assert sign_in(client, VIEWER_EMAIL).status_code == 302


def test_a_disabled_account_cannot_sign_in_and_its_session_ends(app, staff):
    client = app.test_client()
    assert sign_in(client, VIEWER_EMAIL).status_code == 302
    with app.app_context():
        auth.disable_staff(VIEWER_EMAIL)
    assert client.get("/staff/").status_code == 302
    assert sign_in(client, VIEWER_EMAIL).status_code == 401


def test_passwords_are_stored_as_scrypt_hashes(app, staff):
    with app.app_context():
        stored = auth.find_staff(ADMIN_EMAIL).password_hash
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


def test_sign_in_is_rate_limited(make_app, staff):
    app = make_app(RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "nobody@newsroom.example").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_the_session_cookie_is_http_only_lax_and_secure_when_configured(make_app, staff):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = sign_in(client, ADMIN_EMAIL)
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
