"""The scene on the play page (the customer's face and mood, dialogue as lines), where the
learner is (decision, about how many, module, a way back), the catalogue and its filters, and
the moment a module is completed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import TODAY
from probes import play as play_path
from probes import start_attempt
from small_content import MODULES

from trainer.engine.model import Character
from trainer.extensions import db
from trainer.models import User
from trainer.portraits import MOODS, mood_of, portrait
from trainer.store import assignments, content

BEST = [("call", "c1"), ("offer", "c1")]
WORST = [("call", "c2"), ("offer", "c2")]


@pytest.fixture
def app(small_app):
    return small_app


def test_the_mood_follows_trust_and_the_ending():
    assert [mood_of(t) for t in (100, 50, 49, 25, 24, 0)] == \
        ["calm", "calm", "uneasy", "uneasy", "angry", "angry"]
    assert mood_of(10, "good") == "relieved" and mood_of(90, "bad") == "angry"
    assert mood_of(30, "mixed") == "uneasy"


def test_a_portrait_is_drawn_for_every_mood_and_is_the_same_for_the_same_name():
    someone = Character("Mrs Nowak", "customer", {}, 1)
    faces = {mood: str(portrait(someone, mood)) for mood in MOODS}
    assert len(set(faces.values())) == len(MOODS)  # each mood draws a different face
    for mood, svg in faces.items():
        assert f'aria-label="Mrs Nowak, {mood}"' in svg and 'role="img"' in svg
        assert "style" not in svg and "<script" not in svg and "href" not in svg
    assert str(portrait(Character("Mrs Nowak", "customer", {}, 9))) == faces["calm"]
    other = str(portrait(Character("Mr Kowalczyk", "customer", {}, 1)))
    assert other.replace("Mr Kowalczyk", "Mrs Nowak") != faces["calm"]
    bald = str(portrait(Character("Mrs Nowak", "customer", {"hair": "none", "skin": 6}, 1)))
    assert "#5f3a26" in bald and bald != faces["calm"]


def test_the_play_page_shows_the_customer_the_dialogue_and_where_you_are(app, client, people,
                                                                        login_as):
    login_as("ann")
    practice = client.get(f"/attempts/{start_attempt(client, 'cold-soup')}").text
    assert '<a href="/scenarios">Scenarios</a> › practice</p>' in practice
    assert 'href="/scenarios/cold-soup">Leave for now' in practice  # its page offers Continue
    with app.app_context():
        assignments.assign(content.module("onboarding"), [db.session.get(User, people.ids["ann"])],
                           TODAY + timedelta(days=7), None)
        db.session.commit()
    attempt_id = start_attempt(client, "late-delivery")
    page = client.get(f"/attempts/{attempt_id}").text
    # Trust starts at 40: uneasy.
    assert re.search(r'<figure class="customer">\s*<svg class="portrait mood-uneasy" '
                     r'role="img" aria-label="Mrs Nowak, uneasy"', page)
    assert '<p class="speaker">Mrs Nowak</p><p>I waited in all day. Where is my sofa?</p>' in page
    assert '<div class="narration"><p>Mrs Nowak calls.' in page
    # Two decisions on every route: no "about".
    assert "Decision 1 of 2</span>" in page
    assert '<a href="/">My training</a> › Onboarding for tests</p>' in page
    assert 'href="/">Leave for now' in page
    response = client.post(f"/attempts/{attempt_id}/choices", data={"step": "0", "choice": "c1"},
                           headers={"HX-Request": "true"})
    assert "Decision 2 of 2</span>" in response.text
    assert 'aria-label="Mrs Nowak, calm"' in response.text  # the apology lifted trust to 60


def test_the_debrief_shows_the_customer_as_the_story_left_them(client, people, login_as):
    login_as("ann")
    good = client.get(f"/attempts/{_played(client, BEST)}").text
    bad = client.get(f"/attempts/{_played(client, WORST)}").text
    assert 'aria-label="Mrs Nowak, relieved"' in good
    assert 'aria-label="Mrs Nowak, angry"' in bad


def _played(client, path) -> int:
    attempt_id = start_attempt(client, "late-delivery")
    play_path(client, attempt_id, path)
    return attempt_id


def test_completing_a_module_is_marked_in_the_debrief(app, client, people, login_as):
    with app.app_context():
        assignments.assign(content.module("onboarding"), [db.session.get(User, people.ids["ann"])],
                           TODAY + timedelta(days=7), None)
        db.session.commit()
    login_as("ann")
    first, second = MODULES["onboarding"][1]
    attempt_id = start_attempt(client, first)
    play_path(client, attempt_id, BEST)
    assert "complete.</strong>" not in client.get(f"/attempts/{attempt_id}").text
    attempt_id = start_attempt(client, second)
    play_path(client, attempt_id, BEST)
    page = client.get(f"/attempts/{attempt_id}").text
    assert "<strong>Onboarding for tests: complete.</strong>" in page
    assert 'aria-label="Module complete"' in page


def test_the_catalogue_shows_what_each_scenario_is_and_filters_it(client, people, login_as):
    login_as("ann")
    _played(client, BEST)  # late-delivery passed
    page = client.get("/scenarios").text
    assert "4 of 4 scenarios." in page
    card = re.search(r'<li class="card status-passed">.*?</li>', page, re.S)[0]
    assert "Case 0 (late-delivery)" in card and ">Phone</span>" in card and "about 5 min" in card
    assert re.search(r'class="fact difficulty-(foundation|intermediate|advanced)"', card)
    assert ">Onboarding for tests</span>" in card  # the first module that holds it
    assert "Trains: Do more than the customer expects" in card
    passed = client.get("/scenarios?status=passed").text
    assert "1 of 4 scenarios." in passed and "Case 0 (late-delivery)" in passed
    assert "0 of 4 scenarios." in client.get("/scenarios?channel=email").text
    assert "1 of 4 scenarios." in client.get("/scenarios?module=queues").text
    assert "4 of 4 scenarios." in client.get("/scenarios?principle=own-mistakes").text
    # A value nobody offered filters nothing, and is not echoed back.
    odd = client.get("/scenarios?channel=%3Cscript%3E&difficulty=impossible")
    assert odd.status_code == 200 and "4 of 4 scenarios." in odd.text
    assert "<script>" not in odd.text


def test_an_attempt_left_by_start_over_says_so_and_leads_to_the_current_one(client, people,
                                                                          login_as):
    """Found on a user's walk: the old attempt, reached with Back, still showed its options,
    and every click answered "That choice was already made"."""
    login_as("ann")
    old = start_attempt(client, "late-delivery")
    client.post(f"/attempts/{old}/choices", data={"step": "0", "choice": "c1"})
    new = int(client.post("/scenarios/late-delivery/attempts", data={"restart": "1"})
              .location.rsplit("/", 1)[1])
    page = client.get(f"/attempts/{old}").text
    assert "You started this scenario over, so this attempt stopped after 1 decision" in page
    assert f'href="/attempts/{new}">Continue your current attempt' in page
    assert 'name="choice"' not in page  # no options to click
    response = client.post(f"/attempts/{old}/choices", data={"step": "1", "choice": "c1"},
                           follow_redirects=True)
    assert "this earlier attempt is closed; nothing was recorded" in response.text
    assert "already made" not in response.text
