"""The front page and the article page with its appeal."""

from donations.demo import DEMO_SLUG
from donations.platform.extensions import db
from donations.prompts.models import Appeal


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
    assert 'action="/support"' in page and 'method="get"' in page
    assert 'name="article" type="hidden" value="russia-to-build-drone-factory-in-belarus"' in page
    assert 'name="placement" type="hidden" value="article-end"' in page
    assert 'name="csrf_token"' not in page  # no reader's token in a page caches serve


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
