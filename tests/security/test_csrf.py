"""Forged requests: every state-changing request needs the session's CSRF token, and no GET
changes anything.

Each POST route is sent the form it expects, first with no token and with a wrong one (refused
with a clear 400 page, the database unchanged), then with the right one (which does change it:
so the refusal, not a bad form, is what kept the database as it was).
"""
import json
import time
from datetime import timedelta

import itsdangerous
import pytest
from conftest import PASSWORD, TODAY, login, make_app, make_org
from probes import csrf_token, database_rows, routes
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Attempt, Step
from trainer.store import authoring, content, org, progress, staff_uploads

HX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/attempts/1"}
REFUSED = "Nothing was recorded"
IMPORT_CSV = ("name,email,department,team,manager_email,role,start_date\n"
              "Nina New,nina@example.com,Sales,Showroom,,employee,2026-01-05\n")


def _attempt_of(app, short: str, scenario_id: str) -> tuple[int, str]:
    """An attempt started for someone, and the id of a choice offered at its first step."""
    with app.app_context():
        user = org.user_by_email(f"{short}@example.com")
        attempt = progress.start_attempt(user, content.current(scenario_id))
        choice = progress.options(attempt, content.current(scenario_id))[0].id
        db.session.commit()
        return attempt.id, choice


def _deactivate(app, short: str) -> None:
    with app.app_context():
        org.deactivate(org.user_by_email(f"{short}@example.com"))
        db.session.commit()


# endpoint -> (who sends it, the form it expects, what to do first)
FORMS = {
    "auth.login": ("anonymous", {"email": "cat@example.com", "password": PASSWORD}, None),
    "auth.logout": ("ada", {}, None),
    "auth.password": ("ada", {"current": PASSWORD, "new": "a new password 1",
                              "confirm": "a new password 1"}, None),
    "auth.language": ("ada", {"language": "pl"}, None),
    "play.start": ("ann", {"restart": "1"}, None),
    "play.choose": ("ann", {"step": "0", "choice": "{choice}"}, None),
    "manage.assign": ("ada", {"module": "onboarding", "target": "team:{team_id}",
                              "due": (TODAY + timedelta(days=30)).isoformat()}, None),
    "admin.create_user": ("ada", {"name": "Nick New", "email": "nick@example.com",
                                  "team": "0", "roles": "employee"}, None),
    "admin.create_team": ("ada", {"team-department": "Operations", "team-team": "Night"},
                          None),
    "admin.user": ("ada", {"edit-name": "Cat Renamed", "edit-email": "cat@example.com",
                           "edit-team": "0", "edit-roles": "employee"}, None),
    "admin.deactivate": ("ada", {"confirm": "yes"}, None),
    "admin.reactivate": ("ada", {}, _deactivate),
    "admin.reset_password": ("ada", {"reset-new": "another password"}, None),
    # The file previewed by Ada waits on the server; the confirm form names it by its token.
    "admin.import_staff": ("ada", {"confirm-token": "{import_token}", "confirm-onboarding": "y"},
                           None),
    "admin.branding_page": ("ada", {"name": "Acme", "accent": "#0b5a3a"}, None),
    # The author's workbench: {draft_id} is Abe's draft of a changed rude receptionist.
    "author.new_draft": ("abe", {"text": "not a scenario yet", "name": "notes.md"}, None),
    "author.save_draft": ("abe", {"source": "still not a scenario"}, None),
    "author.publish": ("abe", {}, None),
    "author.delete_draft": ("abe", {}, None),
    "author.edit": ("abe", {}, None),
    "author.roll_back": ("abe", {"version": "file"}, lambda app, _: _publish_draft(app)),
    "author.edit_version": ("abe", {}, None),
    # A preview records nothing: with the right token it answers, and still writes nothing.
    "author.preview_move": ("abe", {"state": "{preview_state}", "action": "choose",
                                    "choice": "{choice}"}, None),
    # The walk's scenario is shipped in a file, which is rolled back, not withdrawn: refused
    # with the right token too (tests/web/test_authoring.py withdraws one published there).
    "author.withdraw": ("abe", {}, None),
}
WRITES_NOTHING = {"author.preview_move", "author.withdraw"}


def signed_in(client, short: str) -> str:
    """Sign in through the form, token and all; returns the token of the new session."""
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": f"{short}@example.com",
                                           "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text
    return csrf_token(client.get("/").text)


@pytest.fixture
def csrf_app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def _places(app, people) -> dict:
    attempt, choice = _attempt_of(app, "ann", "rude-receptionist")
    with app.app_context():
        version_id = db.session.get(Attempt, attempt).version_id
    return {"attempt_id": attempt, "choice": choice, "user_id": people.ids["cat"],
            "team_id": people.teams["x"], "scenario_id": "rude-receptionist",
            "name": "team", "filename": "style.css", "import_token": _kept_import(app, "ada"),
            "completion_id": 1, "token": "not-a-token", "draft_id": _draft(app),
            "kind": "scenario", "ref": "rude-receptionist", "version_id": version_id,
            "preview_state": json.dumps({"node": _start_of(app), "values": {"trust": 50},
                                         "path": []})}


def _start_of(app) -> str:
    with app.app_context():
        return content.current("rude-receptionist").start


def _draft(app) -> int:
    """Abe's draft of the rude receptionist with its first line of story changed."""
    with app.app_context():
        source = content.current("rude-receptionist").source.replace(
            "It is twenty to one", "It is a quarter to one", 1)
        checked = authoring.save_draft(org.user_by_email("abe@example.com"),
                                       "rude-receptionist.md", source)
        assert checked.ok, checked.problems
        return checked.draft.id


def _publish_draft(app) -> None:
    """So that rolling back to the file changes what plays."""
    with app.app_context():
        draft = authoring.open_drafts()[0]
        authoring.publish(authoring.check(draft), org.user_by_email("abe@example.com"))


def _kept_import(app, short: str) -> str:
    with app.app_context():
        return staff_uploads.keep(IMPORT_CSV.encode(), org.user_by_email(f"{short}@example.com"))


def test_every_post_route_has_a_case_here(csrf_app):
    posts = {rule.endpoint for rule in csrf_app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == set(FORMS)


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_a_post_without_the_right_token_is_refused_and_changes_nothing(csrf_app, endpoint):
    people = make_org(csrf_app)
    places = _places(csrf_app, people)
    actor, form, prepare = FORMS[endpoint]
    if prepare:
        prepare(csrf_app, "cat")
    [route] = [r for r in routes(csrf_app, places)
               if r.endpoint == endpoint and r.method == "POST"]
    data = {name: value.format(**places) for name, value in form.items()}
    client = csrf_app.test_client()
    token = signed_in(client, actor) if actor != "anonymous" else \
        csrf_token(client.get("/login").text)
    before = database_rows(csrf_app)
    for forged in ({}, {"csrf_token": "not-the-token"}, {"csrf_token": token + "x"}):
        response = client.post(route.url, data=data | forged)
        assert response.status_code == 400, (route, forged, response.status_code)
        assert REFUSED in response.text and "<html" in response.text
        assert database_rows(csrf_app) == before, (route, forged)
    if endpoint == "auth.login":
        assert client.get("/").status_code == 302  # still signed out
    response = client.post(route.url, data=data | {"csrf_token": token})
    assert response.status_code < 400, (route, response.text)
    if endpoint == "auth.login":
        assert client.get("/").status_code == 200
    elif endpoint in WRITES_NOTHING:
        assert database_rows(csrf_app) == before, route
    else:
        assert database_rows(csrf_app) != before, route


def test_a_token_from_another_session_is_refused(csrf_app):
    make_org(csrf_app)
    ann, cat = csrf_app.test_client(), csrf_app.test_client()
    ann_token = signed_in(ann, "ann")
    signed_in(cat, "cat")
    before = database_rows(csrf_app)
    response = cat.post("/scenarios/rude-receptionist/attempts", data={"csrf_token": ann_token})
    assert response.status_code == 400
    assert database_rows(csrf_app) == before


def test_a_page_left_open_for_hours_still_works(csrf_app, monkeypatch):
    make_org(csrf_app)
    client = csrf_app.test_client()
    signed_in(client, "ann")
    page = client.get("/scenarios/rude-receptionist").text
    ten_hours_later = int(time.time()) + 10 * 3600
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: ten_hours_later)
    response = client.post("/scenarios/rude-receptionist/attempts",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.location.startswith("/attempts/")


def test_htmx_sends_the_token_in_a_header_from_the_page(csrf_app):
    make_org(csrf_app)
    attempt, choice = _attempt_of(csrf_app, "ann", "rude-receptionist")
    client = csrf_app.test_client()
    signed_in(client, "ann")
    page = client.get(f"/attempts/{attempt}").text
    token = csrf_token(page.split("<body", 1)[1])  # the hx-headers attribute of <body>
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page
    response = client.post(f"/attempts/{attempt}/choices", data={"step": "0", "choice": choice},
                           headers=HX | {"X-CSRFToken": token})
    assert response.status_code == 200
    with csrf_app.app_context():
        assert db.session.scalar(select(Step.choice_id).where(Step.attempt_id == attempt)) \
            == choice


@pytest.mark.parametrize("header", [{}, {"X-CSRFToken": "forged"}])
def test_htmx_shows_the_refusal_instead_of_doing_nothing(csrf_app, header):
    make_org(csrf_app)
    attempt, choice = _attempt_of(csrf_app, "ann", "rude-receptionist")
    client = csrf_app.test_client()
    signed_in(client, "ann")
    before = database_rows(csrf_app)
    response = client.post(f"/attempts/{attempt}/choices", data={"step": "0", "choice": choice},
                           headers=HX | header)
    # base.html's htmx-config swaps 4xx answers: the fragment replaces the play region.
    assert response.status_code == 400
    assert "<html" not in response.text
    assert 'id="play"' in response.text and 'role="alert"' in response.text
    assert REFUSED in response.text
    assert database_rows(csrf_app) == before


def test_no_get_changes_anything(app, people):
    """Every GET route, as an administrator and as a player on her own attempt."""
    attempt, _ = _attempt_of(app, "ann", "rude-receptionist")
    _attempt_of(app, "ada", "broken-guitar")
    places = {"attempt_id": attempt, "user_id": people.ids["ann"],
              "team_id": people.teams["x"], "scenario_id": "rude-receptionist",
              "name": "team", "filename": "style.css", "completion_id": 1,
              "token": "not-a-token", "draft_id": _draft(app), "kind": "scenario",
              "ref": "rude-receptionist", "version_id": 1}
    gets = [r for r in routes(app, places) if r.method == "GET"]
    for who in ("ada", "ann"):
        client = app.test_client()
        login(client, who)
        before = database_rows(app)
        for route in gets:
            response = client.get(route.url)
            assert response.status_code < 500, route
            assert database_rows(app) == before, (who, route)

