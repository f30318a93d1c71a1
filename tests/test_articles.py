"""The front page and the article page with its appeal."""

import re

from donations.demo import DEMO_SLUG
from donations.extensions import db
from donations.models import Appeal, Article
from tests.conftest import csrf_token
from tests.prompts.test_api import counted_queries, give_pass


def test_front_page_lists_the_demo_article(client):
    page = client.get("/").get_data(as_text=True)
    assert "Russia to Build Drone Factory in Belarus" in page
    assert f'href="/articles/{DEMO_SLUG}"' in page


def test_article_page_shows_story_photo_caption_and_appeal(client):
    response = client.get(f"/articles/{DEMO_SLUG}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 class="article__title">Russia to Build Drone Factory in Belarus</h1>' in page
    assert "Maxim Oreshkin." in page and "president.gov.by" in page
    assert "up to 100,000 drones per year" in page
    assert "A Message from The Moscow Times:" in page
    assert "Dear readers," in page
    assert 'action="/support"' in page
    assert 'name="article" type="hidden" value="russia-to-build-drone-factory-in-belarus"' in page
    assert 'name="placement" type="hidden" value="article-end"' in page


def test_appeal_copy_is_data_that_staff_can_edit(app, client):
    with app.app_context():
        appeal = db.session.scalar(db.select(Appeal).filter_by(placement="article-end"))
        appeal.heading = "A word from our editor"
        appeal.body = "Friends,\n\nWe need you."
        db.session.commit()
    page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert "A word from our editor" in page
    assert "<p>We need you.</p>" in page
    assert "Dear readers," not in page


def test_unknown_article_is_a_friendly_404_page(client):
    response = client.get("/articles/no-such-story")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "We could not find that article" in response.get_data(as_text=True)


def test_unknown_article_as_json_for_api_clients(client):
    response = client.get("/articles/no-such-story", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_pages_carry_security_headers(client):
    response = client.get(f"/articles/{DEMO_SLUG}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "form-action 'self' http://127.0.0.1:" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_seed_demo_can_run_twice(runner):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "updated article russia-to-build-drone-factory-in-belarus" in second.output


# The rendered-page cache (donations/articles/pages.py) ------------------------------------


def test_a_kept_page_costs_no_query_and_still_carries_each_readers_own_form_token(app):
    first, second = app.test_client(), app.test_client()
    first.get(f"/articles/{DEMO_SLUG}")
    with counted_queries(app) as statements:
        page = second.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert statements == []
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert token != csrf_token(first, f"/articles/{DEMO_SLUG}")
    # The token put into the kept page is valid for this reader's own session.
    answer = second.post(
        "/support", data={"csrf_token": token, "frequency": "once", "other_amount": "7"}
    )
    assert answer.status_code == 303


def test_readers_in_other_prompt_states_get_their_own_page(app):
    new_reader = app.test_client()
    capped = app.test_client()
    for _ in range(4):  # the end-of-article appeal shows four times in 30 days
        assert "Dear readers," in capped.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert "Dear readers," not in capped.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert "Dear readers," in new_reader.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    supporter = app.test_client()
    give_pass(supporter, app, "once")
    page = supporter.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert "Dear readers," not in page and "Thank you for supporting" in page


def test_article_edits_show_once_the_kept_page_expires(make_app):
    app = make_app(ARTICLE_PAGE_CACHE_SECONDS=0)  # as when the minute has passed
    client = app.test_client()
    client.get(f"/articles/{DEMO_SLUG}")
    with app.app_context():
        story = db.session.scalar(db.select(Article).filter_by(slug=DEMO_SLUG))
        story.title = "Corrected headline"
        db.session.commit()
    assert "Corrected headline" in client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)


def test_an_unknown_article_leaves_the_readers_state_alone(client):
    assert client.get("/articles/no-such-story").status_code == 404
    assert client.get_cookie("rr_reader") is None
