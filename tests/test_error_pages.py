"""Every error a reader or a caller meets is the newsroom's own, as HTML or as JSON."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

JSON = {"Accept": "application/json"}


@pytest.fixture
def app(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="1/minute", WTF_CSRF_ENABLED=False
    )

    def broken():
        raise RuntimeError("a bug")

    def database_gone():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    app.add_url_rule("/test/broken", view_func=broken)
    app.add_url_rule("/test/database-gone", view_func=database_gone)
    return app


def rate_limited(client, headers=None):
    form = {"email": "desk@newsroom.example", "password": "wrong password"}
    client.post("/staff/login", data=form, headers=headers)
    return client.post("/staff/login", data=form, headers=headers)


ERRORS = {
    404: lambda client, headers: client.get("/no-such-page", headers=headers),
    429: rate_limited,
    500: lambda client, headers: client.get("/test/broken", headers=headers),
    503: lambda client, headers: client.get("/test/database-gone", headers=headers),
}
TITLES = {
    404: "Page not found",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "We will be back shortly",
}


@pytest.mark.parametrize("status", ERRORS)
def test_an_error_page_is_the_newsrooms_own(app, status):
    response = ERRORS[status](app.test_client(), None)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert f'<h1 class="confirmation__title">{TITLES[status]}</h1>' in page
    assert "The Moscow Times" in page and "Go to the front page" in page


@pytest.mark.parametrize("status", ERRORS)
def test_an_error_asked_for_as_json_is_json(app, status):
    response = ERRORS[status](app.test_client(), JSON)
    assert response.status_code == status
    assert response.is_json
    assert response.json["status"] == status
    assert response.json["error"]


def test_too_many_requests_says_when_to_try_again(app):
    response = rate_limited(app.test_client())
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert "Please try again in" in response.get_data(as_text=True)
    assert "per 1 minute" not in response.get_data(as_text=True)


def test_too_many_requests_as_json_says_when_to_try_again(app):
    response = rate_limited(app.test_client(), JSON)
    assert 0 < response.json["retryAfter"] <= 61
    assert abs(response.json["retryAfter"] - int(response.headers["Retry-After"])) <= 1
