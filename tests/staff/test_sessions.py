"""Staff sessions live on the server: signing out, disabling the account and a new password end
them wherever their cookie was copied to; nothing is bound to headers a client sets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.staff import auth
from donations.staff.models import StaffSession
from tests.conftest import csrf_token
from tests.staff.conftest import ADMIN_EMAIL, PASSWORD, VIEWER_EMAIL, sign_in

NEW_PASSWORD = "a brand new passphrase"


def copy_of(app, client):
    """Another browser holding a copy of this browser's session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def sign_out(client) -> None:
    token = csrf_token(client, "/staff/pledges")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302


def test_a_copied_session_cookie_opens_nothing_after_sign_out(app, admin_client):
    thief = copy_of(app, admin_client)
    assert thief.get("/staff/").status_code == 200
    sign_out(admin_client)
    assert thief.get("/staff/").status_code == 302
    assert thief.get("/staff/pledges.csv").status_code == 302
    assert admin_client.get("/staff/").status_code == 302


def test_signing_out_ends_only_that_session(app, staff):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, ADMIN_EMAIL)
    sign_in(phone, ADMIN_EMAIL)
    sign_out(laptop)
    assert phone.get("/staff/").status_code == 200


def test_disabling_an_account_ends_its_sessions(app, staff):
    client = app.test_client()
    assert sign_in(client, VIEWER_EMAIL).status_code == 302
    with app.app_context():
        auth.disable_staff(VIEWER_EMAIL)
    assert client.get("/staff/").status_code == 302
    assert sign_in(client, VIEWER_EMAIL).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_a_new_password_from_the_command_line_ends_every_session(app, runner, viewer_client):
    result = runner.invoke(
        args=["staff", "set-password", VIEWER_EMAIL, "--password-stdin"], input=NEW_PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert viewer_client.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), VIEWER_EMAIL, NEW_PASSWORD).status_code == 302


def test_changing_your_password_signs_out_every_other_session(app, staff):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, ADMIN_EMAIL)
    sign_in(elsewhere, ADMIN_EMAIL)
    stolen = copy_of(app, here)
    token = csrf_token(here, "/staff/password")
    changed = here.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "new": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert here.get("/staff/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/staff/").status_code == 302
    assert stolen.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), ADMIN_EMAIL, PASSWORD).status_code == 401


def test_a_password_change_needs_the_current_password(admin_client):
    token = csrf_token(admin_client, "/staff/password")
    refused = admin_client.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "current": "a guess",
            "new": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 422
    assert "That is not your current password." in refused.get_data(as_text=True)


def test_a_password_change_refuses_a_weak_password(admin_client):
    token = csrf_token(admin_client, "/staff/password")
    weak = "aaaaaaaaaaaa"
    refused = admin_client.post(
        "/staff/password",
        data={"csrf_token": token, "current": PASSWORD, "new": weak, "repeat": weak},
    )
    assert refused.status_code == 422
    assert "too easy to guess" in refused.get_data(as_text=True)


def test_a_session_is_not_bound_to_headers_the_client_sets(admin_client):
    # Flask-Login's "strong" mode hashed X-Forwarded-For and User-Agent: any client sets both.
    moved = {"X-Forwarded-For": "198.51.100.4", "User-Agent": "another browser"}
    assert admin_client.get("/staff/", headers=moved).status_code == 200
    assert admin_client.get("/staff/").status_code == 200


def test_a_session_ends_when_its_hours_are_up(app, admin_client):
    with app.app_context():
        db.session.execute(update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert admin_client.get("/staff/").status_code == 302


def test_a_session_lasts_the_configured_hours(make_app, staff):
    app = make_app(STAFF_SESSION_HOURS=3)
    sign_in(app.test_client(), ADMIN_EMAIL)
    with app.app_context():
        session = db.session.scalar(select(StaffSession))
        lasts = session.expires_at - session.created_at
    assert lasts == timedelta(hours=3)


def test_only_a_hash_of_the_session_token_is_stored(app, admin_client):
    cookie = admin_client.get_cookie("session").value
    with app.app_context():
        stored = db.session.scalar(select(StaffSession.token_hash))
    assert len(stored) == 64 and stored not in cookie


def test_the_session_cookie_is_http_only_lax_and_secure_when_configured(make_app, staff):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = sign_in(client, ADMIN_EMAIL)
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
