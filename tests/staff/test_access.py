"""Who may open what: the whole /staff URL map walked as a stranger, a viewer and an admin."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.staff.conftest import sign_in
from tests.staff.ledger import store_ledger


@pytest.fixture
def targets(app: Flask) -> dict[str, object]:
    """Real values for every URL argument the dashboard's routes take."""
    with app.app_context():
        rows = store_ledger()
        return {"public_id": rows["C"].public_id, "payment_id": rows["C"].payments[0].id}


def staff_routes(app: Flask, targets: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    """(method, url, endpoint, admin only) for every /staff rule and method."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("staff."):
                continue
            url = app.url_map.bind("localhost").build(
                rule.endpoint, {name: targets[name] for name in rule.arguments}
            )
            admin_only = getattr(app.view_functions[rule.endpoint], "admin_only", False)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((method, url, rule.endpoint, admin_only))
    assert len(routes) >= 14, "the walk should see every dashboard route"
    return routes


def request(client: FlaskClient, method: str, url: str, token: str):
    """A request with a valid form token, so CSRF is not what stops it."""
    data = {"csrf_token": token} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    response.get_data()  # finish streamed responses (CSV) inside the test
    return response


def test_a_stranger_is_sent_to_sign_in_from_every_page(app, targets):
    client = app.test_client()
    token = csrf_token(client, "/staff/login")
    for method, url, endpoint, _ in staff_routes(app, targets):
        response = request(client, method, url, token)
        if endpoint == "staff.login":
            assert response.status_code in (200, 422), url
            continue
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/staff/login?next="), url


def test_a_viewer_sees_everything_but_is_refused_every_admin_action(app, targets, staff):
    client = app.test_client()
    sign_in(client, staff["viewer"])
    token = csrf_token(client, "/staff/pledges")
    for method, url, endpoint, admin_only in staff_routes(app, targets):
        if endpoint == "staff.logout":
            continue
        response = request(client, method, url, token)
        if admin_only:
            assert response.status_code == 403, (method, url)
        elif endpoint == "staff.login":
            assert response.status_code == 302  # already signed in
        else:
            # A form posted empty (the password change) is shown again.
            assert response.status_code == (422 if method == "POST" else 200), (method, url)


def test_an_admin_may_open_every_page(app, targets, staff):
    client = app.test_client()
    sign_in(client, staff["admin"])
    token = csrf_token(client, "/staff/pledges")
    for method, url, endpoint, _ in staff_routes(app, targets):
        if endpoint in ("staff.logout", "staff.login"):
            continue
        response = request(client, method, url, token)
        # An action posted without its confirmation is shown again, never carried out.
        assert response.status_code == (422 if method == "POST" else 200), (method, url)


def test_every_form_that_posts_needs_a_csrf_token(app, targets, staff):
    client = app.test_client()
    sign_in(client, staff["admin"])
    for method, url, endpoint, _ in staff_routes(app, targets):
        if method != "POST":
            continue
        response = client.post(url, data={"confirm": "y", "email": "a@b.c", "password": "x"})
        assert response.status_code == 400, (url, endpoint)
        assert "expired" in response.get_data(as_text=True)


def test_every_post_form_on_the_pages_carries_a_token(app, targets, staff):
    client = app.test_client()
    sign_in(client, staff["admin"])
    for method, url, _, _ in staff_routes(app, targets):
        if method != "GET" or url.endswith(".csv"):
            continue
        page = client.get(url).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", page, flags=re.S):
            assert 'name="csrf_token"' in form, url


def test_signing_out_ends_the_session(admin_client):
    token = csrf_token(admin_client, "/staff/pledges")
    assert admin_client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert admin_client.get("/staff/").status_code == 302


def test_staff_pages_are_not_cached(admin_client):
    assert admin_client.get("/staff/").headers["Cache-Control"] == "no-store"


def test_a_viewer_refused_an_action_keeps_the_dashboard_around_them(viewer_client, targets):
    response = viewer_client.get(f"/staff/pledges/{targets['public_id']}/cancel")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "This needs an admin account." in page
    assert 'aria-label="Dashboard"' in page
