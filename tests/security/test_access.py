"""Who may open what: every route of the app × every role, including other people's data.

The table below must name every endpoint in the app's URL map: a new route without an entry
fails test_every_route_is_in_the_matrix, so nobody can add a page and forget its access rule.
"""
import pytest
from conftest import login

from trainer.access import RULES

ROLES = ["anonymous", "ann", "mia", "hugo", "ada", "abe"]  # nobody, employee, manager, HR,
# admin, author
SIGN_IN = "login"  # the answer for anonymous visitors: a redirect to the sign-in page

# (endpoint, method, url, expected status per role as in ROLES)
# Placeholders: {attempt} is Ann's attempt; {x}/{y} teams (Mia manages x, Ann is in x, Bob in y);
# {ann}, {bob}, {cat} people.
MATRIX = [
    ("static", "GET", "/static/style.css", [200, 200, 200, 200, 200, 200]),
    ("health.check", "GET", "/healthz", [200, 200, 200, 200, 200, 200]),
    ("brand.style", "GET", "/brand/style.css", [200, 200, 200, 200, 200, 200]),
    ("brand.logo", "GET", "/brand/logo", [404, 404, 404, 404, 404, 404]),  # none uploaded
    ("auth.login", "GET", "/login", [200, 302, 302, 302, 302, 302]),
    ("auth.logout", "POST", "/logout", [302, 302, 302, 302, 302, 302]),
    ("auth.password", "GET", "/account/password", [SIGN_IN, 200, 200, 200, 200, 200]),
    ("auth.language", "POST", "/account/language", [SIGN_IN, 302, 302, 302, 302, 302]),
    ("training.home", "GET", "/", [SIGN_IN, 200, 200, 200, 200, 200]),
    ("play.scenarios", "GET", "/scenarios", [SIGN_IN, 200, 200, 200, 200, 200]),
    ("play.scenario", "GET", "/scenarios/rude-receptionist", [SIGN_IN, 200, 200, 200, 200, 200]),
    ("play.start", "POST", "/scenarios/rigid-provider/attempts",
     [SIGN_IN, 302, 302, 302, 302, 302]),
    # Only the player sees their own play page; leads read it through the manage pages.
    ("play.attempt", "GET", "/attempts/{attempt}", [SIGN_IN, 200, 404, 404, 404, 404]),
    ("play.choose", "POST", "/attempts/{attempt}/choices", [SIGN_IN, 400, 404, 404, 404, 404]),
    ("manage.teams", "GET", "/manage/", [SIGN_IN, 403, 200, 200, 200, 403]),
    ("manage.team", "GET", "/manage/teams/{x}", [SIGN_IN, 403, 200, 200, 200, 403]),
    ("manage.team", "GET", "/manage/teams/{y}", [SIGN_IN, 403, 404, 200, 200, 403]),
    ("manage.matrix_export", "GET", "/manage/teams/{x}/matrix.csv",
     [SIGN_IN, 403, 200, 200, 200, 403]),
    ("manage.matrix_export", "GET", "/manage/teams/{y}/matrix.csv",
     [SIGN_IN, 403, 404, 200, 200, 403]),
    ("manage.choices", "GET", "/manage/teams/{x}/choices?scenario=rude-receptionist",
     [SIGN_IN, 403, 200, 200, 200, 403]),
    ("manage.choices", "GET", "/manage/teams/{y}/choices?scenario=rude-receptionist",
     [SIGN_IN, 403, 404, 200, 200, 403]),
    ("manage.person", "GET", "/manage/people/{ann}", [SIGN_IN, 403, 200, 200, 200, 403]),
    ("manage.person", "GET", "/manage/people/{bob}", [SIGN_IN, 403, 404, 200, 200, 403]),
    ("manage.person_attempt", "GET", "/manage/people/{ann}/attempts/{attempt}",
     [SIGN_IN, 403, 200, 200, 200, 403]),
    # An attempt under the wrong person is not found, even for HR.
    ("manage.person_attempt", "GET", "/manage/people/{bob}/attempts/{attempt}",
     [SIGN_IN, 403, 404, 404, 404, 403]),
    ("manage.assign", "POST", "/manage/assign", [SIGN_IN, 403, 302, 302, 302, 403]),
    ("reports.completion", "GET", "/reports/", [SIGN_IN, 403, 403, 200, 200, 403]),
    ("reports.export", "GET", "/reports/team.csv", [SIGN_IN, 403, 403, 200, 200, 403]),
    ("admin.users", "GET", "/admin/users", [SIGN_IN, 403, 403, 403, 200, 403]),
    ("admin.create_user", "POST", "/admin/users", [SIGN_IN, 403, 403, 403, 422, 403]),
    ("admin.create_team", "POST", "/admin/teams", [SIGN_IN, 403, 403, 403, 302, 403]),
    ("admin.user", "GET", "/admin/users/{ann}", [SIGN_IN, 403, 403, 403, 200, 403]),
    ("admin.reset_password", "POST", "/admin/users/{cat}/password",
     [SIGN_IN, 403, 403, 403, 302, 403]),
    ("admin.deactivate", "POST", "/admin/users/{cat}/deactivate",
     [SIGN_IN, 403, 403, 403, 302, 403]),
    ("admin.reactivate", "POST", "/admin/users/{cat}/reactivate",
     [SIGN_IN, 403, 403, 403, 302, 403]),
    ("admin.import_staff", "GET", "/admin/import", [SIGN_IN, 403, 403, 200, 200, 403]),
    ("admin.branding_page", "GET", "/admin/branding", [SIGN_IN, 403, 403, 403, 200, 403]),
    # Who opens an existing certificate: tests/web/test_certificates.py (the learner, leads
    # who follow them); here, one that does not exist, and a check link with a wrong token.
    ("certificates.certificate", "GET", "/certificates/999999", [SIGN_IN, 404, 404, 404, 404, 404]),
    ("certificates.verify", "GET", "/verify/not-a-token", [404, 404, 404, 404, 404, 404]),
    # The author's workbench: authors and administrators only. {draft} is a draft with a
    # problem (it cannot be published); {version} the stored version of Ann's attempt.
    ("author.index", "GET", "/author/", [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.new_draft", "POST", "/author/drafts", [SIGN_IN, 403, 403, 403, 422, 422]),
    ("author.draft", "GET", "/author/drafts/{draft}", [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.save_draft", "POST", "/author/drafts/{draft}", [SIGN_IN, 403, 403, 403, 422, 422]),
    ("author.draft_map", "GET", "/author/drafts/{draft}/map",
     [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.publish", "POST", "/author/drafts/{draft}/publish",
     [SIGN_IN, 403, 403, 403, 302, 302]),
    ("author.scenario", "GET", "/author/scenarios/rude-receptionist",
     [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.version_diff", "GET", "/author/scenarios/rude-receptionist/versions/{version}/diff",
     [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.map", "GET", "/scenarios/rude-receptionist/map", [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.choices", "GET", "/author/scenarios/rude-receptionist/choices",
     [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.preview", "GET", "/author/preview/scenario/rude-receptionist",
     [SIGN_IN, 403, 403, 403, 200, 200]),
    ("author.preview_move", "POST", "/author/preview/scenario/rude-receptionist",
     [SIGN_IN, 403, 403, 403, 422, 422]),  # no state sent: refused, starts again
    ("author.roll_back", "POST", "/author/scenarios/rude-receptionist/rollback",
     [SIGN_IN, 403, 403, 403, 400, 400]),  # no version named
    ("author.edit", "POST", "/author/scenarios/rude-receptionist/edit",
     [SIGN_IN, 403, 403, 403, 302, 302]),
    ("author.withdraw", "POST", "/author/scenarios/rude-receptionist/withdraw",
     [SIGN_IN, 403, 403, 403, 302, 302]),  # refused (a shipped scenario), back to its page
    ("author.edit_version", "POST", "/author/versions/{version}/edit",
     [SIGN_IN, 403, 403, 403, 302, 302]),
    ("author.delete_draft", "POST", "/author/drafts/{draft}/delete",
     [SIGN_IN, 403, 403, 403, 302, 302]),
]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == {endpoint for endpoint, *_ in MATRIX}
    assert endpoints == set(RULES)


def _draft_and_version(app, people, attempt_id: int) -> tuple[int, int]:
    """A draft with one problem (an unknown principle), and the version Ann played."""
    from trainer.extensions import db
    from trainer.models import Attempt, User
    from trainer.store import authoring, content

    with app.app_context():
        source = content.current("rude-receptionist").source.replace(
            "id: rude-receptionist", "id: access-draft", 1)
        source = source.replace("weights: {", "weights: {no-such-principle: 1, ", 1)
        checked = authoring.save_draft(db.session.get(User, people.ids["abe"]),
                                       "access-draft.md", source)
        assert len(checked.problems) == 1, checked.problems
        return checked.draft.id, db.session.get(Attempt, attempt_id).version_id


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_the_matrix_says(app, client, people, role):
    ann = app.test_client()
    login(ann, "ann")
    attempt = int(ann.post("/scenarios/rude-receptionist/attempts").location.rsplit("/", 1)[1])
    draft, version = _draft_and_version(app, people, attempt)
    places = {"attempt": attempt, "x": people.teams["x"], "y": people.teams["y"],
              "draft": draft, "version": version,
              **{name: people.ids[name] for name in ("ann", "bob", "cat")}}
    if role != "anonymous":
        login(client, role)
    for endpoint, method, url, expected in MATRIX:
        if endpoint == "auth.logout":
            continue  # signing out here would change the role for the rows after it
        want = expected[ROLES.index(role)]
        response = client.open(url.format(**places), method=method)
        if want == SIGN_IN:
            assert response.status_code == 302, (url, response.status_code)
            assert response.location.startswith("/login"), (url, response.location)
        else:
            assert response.status_code == want, (role, method, url, response.status_code)


@pytest.mark.parametrize("role", ROLES[1:])
def test_signing_out_works_for_every_role(client, people, role):
    login(client, role)
    assert client.post("/logout").status_code == 302
    assert client.get("/").location.startswith("/login")


@pytest.mark.parametrize("url", ["/attempts/{attempt}", "/manage/people/{bob}",
                                 "/manage/teams/{y}"])
def test_nothing_of_someone_elses_data_is_in_the_refusal(app, client, people, url):
    bob = app.test_client()
    login(bob, "bob")
    attempt = int(bob.post("/scenarios/broken-guitar/attempts").location.rsplit("/", 1)[1])
    login(client, "mia")  # manages team x; Bob is in team y
    page = client.get(url.format(attempt=attempt, bob=people.ids["bob"], y=people.teams["y"]))
    assert page.status_code == 404
    for secret in ("Bob Employee", "bob@example.com", "Key accounts", "The broken guitar"):
        assert secret not in page.text
