"""Staff fixtures: accounts of each role and test clients signed in as them."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from donations.staff import auth
from donations.staff.models import ADMIN, VIEWER
from tests.conftest import csrf_token

ADMIN_EMAIL = "admin@newsroom.example"
VIEWER_EMAIL = "viewer@newsroom.example"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(app: Flask) -> dict[str, str]:
    """An admin and a viewer, both with PASSWORD."""
    with app.app_context():
        auth.create_staff(ADMIN_EMAIL, ADMIN, PASSWORD)
        auth.create_staff(VIEWER_EMAIL, VIEWER, PASSWORD)
    return {ADMIN: ADMIN_EMAIL, VIEWER: VIEWER_EMAIL}


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **request: object):
    token = csrf_token(client, "/staff/login")
    return client.post(
        "/staff/login", data={"csrf_token": token, "email": email, "password": password}, **request
    )


@pytest.fixture
def admin_client(app: Flask, staff) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


@pytest.fixture
def viewer_client(app: Flask, staff) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, VIEWER_EMAIL).status_code == 302
    return client


def form_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on a staff page."""
    return csrf_token(client, path)
