"""The reader's signed cookie, and the answers /api/prompt shares between readers.

Both were made cheaper for the per-page-view call (donations/signing.py, prompt_answer): the
cookie must stay compatible, well-formed and private to each reader, and a shared answer must
never reach a reader whose prompts come out differently."""

from __future__ import annotations

import json

from itsdangerous import URLSafeSerializer

from donations.demo import DEMO_SLUG
from donations.prompts.reader_state import COOKIE, MAX_READS, SALT, ReaderState, load, signed
from donations.signing import COMPRESS_FROM, page_view_serializer
from tests.prompts.test_api import ask


def test_the_cookie_is_http_only_same_site_and_kept_for_400_days(client):
    header = ask(client, article=DEMO_SLUG).headers["Set-Cookie"]
    name_value, *attributes = header.split("; ")
    assert name_value.startswith(f"{COOKIE}=") and len(name_value) > len(COOKIE) + 20
    assert {"HttpOnly", "Path=/", "SameSite=Lax", f"Max-Age={400 * 86400}"} <= set(attributes)
    assert any(a.startswith("Expires=") for a in attributes)
    assert "Secure" not in attributes  # this test app is served over plain http


def test_the_cookie_is_secure_where_the_session_cookie_is(make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    header = ask(client, article=DEMO_SLUG).headers["Set-Cookie"]
    assert "Secure" in header.split("; ")


def test_cookies_signed_before_the_cheaper_signer_are_still_read(app):
    state = {"r": {"abcdef0123": 20000}, "v": {"banner": [20000]}, "d": {}}
    with app.test_request_context():
        plain = URLSafeSerializer(app.secret_key, salt=SALT)
        old = plain.dumps(state)  # compressed, since zlib made it a little shorter
        new = page_view_serializer(SALT).dumps(state)
        assert old != new and not new.startswith(".")
        # The same key and signature: each reads the other (so a rollback keeps readers too).
        assert plain.loads(new) == page_view_serializer(SALT).loads(old) == state
    client = app.test_client()
    client.set_cookie(COOKIE, old)
    with app.test_request_context(headers={"Cookie": f"{COOKIE}={old}"}):
        from flask import request

        assert load(request).reads == {"abcdef0123": 20000}


def test_a_long_history_is_compressed_and_reads_back(app):
    state = ReaderState(reads={f"{n:010x}": 20000 + n for n in range(MAX_READS)})
    with app.test_request_context():
        value = signed(state)
        assert len(json.dumps(state.as_payload())) > COMPRESS_FROM
        assert value.startswith(".")  # itsdangerous' mark for a compressed payload
    with app.test_request_context(headers={"Cookie": f"{COOKIE}={value}"}):
        from flask import request

        assert load(request).reads == state.reads


def test_readers_whose_prompts_come_out_alike_share_an_answer_and_others_do_not(app):
    once, twice, capped = app.test_client(), app.test_client(), app.test_client()
    ask(once, article=DEMO_SLUG)
    for _ in range(2):
        ask(twice, article=DEMO_SLUG)
    for _ in range(4):  # the end-of-article appeal shows four times in thirty days
        ask(capped, article=DEMO_SLUG)
    answers = [ask(reader, article=DEMO_SLUG) for reader in (once, twice, capped)]
    # Different histories, the same prompts: the same body, but each their own cookie.
    assert answers[0].get_data() == answers[1].get_data()
    assert answers[0].headers["Set-Cookie"] != answers[1].headers["Set-Cookie"]
    assert answers[0].json["prompts"]["article-end"]["prompt"] == "appeal"
    # The capped reader is never served the kept appeal.
    assert answers[2].json["prompts"]["article-end"] is None
    assert answers[2].get_data() != answers[0].get_data()
    # Another article is another answer (the appeal names the article it was read on).
    other = ask(once, article="another-story").json["prompts"]["article-end"]
    assert other["article"] == "another-story"


def test_a_first_visit_answer_is_never_shared_across_the_sites_own_addresses(make_app):
    """Without PUBLIC_BASE_URL (a developer's machine) the form's links come from the address
    asked for: a first visit from an embedding site under one host must not hand its links to
    that site's readers under another."""
    partner = "https://partner.example"
    app = make_app(PUBLIC_BASE_URL="", EMBED_ALLOWED_ORIGINS=[partner])
    links = {
        host: ask(app.test_client(), article=DEMO_SLUG, Host=host, Origin=partner).json["form"][
            "supportUrl"
        ]
        for host in ("one.example", "two.example")
    }
    assert links == {
        "one.example": "http://one.example/support",
        "two.example": "http://two.example/support",
    }
