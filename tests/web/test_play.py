"""Playing in the web app: full pages and htmx fragments, stored attempts and steps."""
import re
import shutil

import pytest
from conftest import (
    CONTENT,
    FLAGSHIPS,
    SCENARIOS,
    SHIPPED,
    app_on_folder,
    login,
    make_app,
)
from engine_paths import best_worst_mixed
from probes import play, start_attempt
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Attempt, Step

HX = {"HX-Request": "true"}


def shown_options(html: str) -> list[str]:
    return re.findall(r'name="choice" value="(c\d+)"', html)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("scenario_id", FLAGSHIPS)
@pytest.mark.parametrize("which", ["best", "worst", "mixed"])
def test_playing_a_path_stores_the_attempt_and_its_steps(app, client, login_as, library,
                                                         scenario_id, which, htmx):
    scenario = library.scenarios[scenario_id]
    best, worst, mixed = best_worst_mixed(scenario)
    path = {"best": best, "worst": worst, "mixed": mixed}[which]
    login_as("ann")
    attempt_id = start_attempt(client, scenario_id)
    play(client, attempt_id, path, htmx)

    from trainer.engine import SCORING_MODEL, decisions, passes, score
    expected = score(scenario, path)
    judged = decisions(scenario, path)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == Attempt.FINISHED
        assert attempt.percent == expected.percent
        assert (attempt.points, attempt.best_points) == (expected.gained, expected.possible)
        assert attempt.by_principle == expected.by_principle
        assert (attempt.scoring, attempt.pass_mark) == (SCORING_MODEL, 75)
        assert attempt.passed == passes(expected.percent, attempt.ending_kind, 75)
        assert attempt.version.version == scenario.version
        steps = db.session.scalars(select(Step).filter_by(attempt_id=attempt_id)
                                   .order_by(Step.index)).all()
        assert [(s.node_id, s.choice_id) for s in steps] == path
        for step, d in zip(steps, judged, strict=True):
            choice = scenario.nodes[step.node_id].choice(step.choice_id)
            assert step.choice_text == choice.text and step.weights == choice.weights
            assert step.node_text == scenario.nodes[step.node_id].text
            assert (step.best_choice_id, step.best_points, step.worst_points) \
                == (d.best.id, d.best.points, d.worst.points)
    if which == "best":
        assert expected.percent == 100
    if which == "worst":
        assert expected.percent < 50

    debrief = client.get(f"/attempts/{attempt_id}").text
    assert f"{expected.percent}% against a pass mark of 75%" in re.sub(r"<[^>]+>", "", debrief)
    verdict = "Passed" if attempt.passed else "Not passed"
    assert f'<h2 id="verdict-heading">{verdict}</h2>' in debrief
    assert "<svg" in debrief and "What really happened" in debrief
    # Every decision in the full review; those that cost something also in their own list.
    costly = sum(not d.is_best for d in judged)
    assert debrief.count('class="decision ') == len(path) + costly


@pytest.mark.parametrize("scenario_id", [s for s in SHIPPED if s not in FLAGSHIPS])
def test_every_other_scenario_plays_to_its_best_and_worst_ending(app, client, login_as,
                                                                 library, scenario_id):
    scenario = library.scenarios[scenario_id]
    best, worst, _ = best_worst_mixed(scenario)
    login_as("ann")
    for path, htmx, percent in ((best, True, 100), (worst, False, None)):
        attempt_id = start_attempt(client, scenario_id)
        play(client, attempt_id, path, htmx)
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            assert attempt.finished and attempt.ending_node == best_or_worst_end(scenario, path)
            assert percent is None or attempt.percent == percent
            if percent is None:
                assert attempt.percent < 50 and attempt.ending_kind == "bad"


def best_or_worst_end(scenario, path):
    from trainer.engine import replay

    return replay(scenario, path)[-1].node


def test_scenario_list_shows_the_three_flagships(client, login_as):
    login_as("ann")
    page = client.get("/scenarios").text
    for title in ("The rude receptionist", "The rigid provider", "The broken guitar"):
        assert title.lower() in page.lower()


def test_pages_ask_to_sign_in_first(client):
    response = client.get("/scenarios")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_wrong_password_is_refused_without_saying_whether_the_account_exists(client, people):
    known = client.post("/login", data={"email": "ann@example.com", "password": "wrong one"})
    unknown = client.post("/login", data={"email": "zed@example.com", "password": "wrong one"})
    assert known.status_code == unknown.status_code == 422
    message = "That email and password do not match an active account."
    assert message in known.text and message in unknown.text


def test_unfinished_attempt_resumes_where_it_stopped(client, login_as, library):
    login_as("ann")
    scenario = library.scenarios["rude-receptionist"]
    attempt_id = start_attempt(client, scenario.id)
    first = scenario.nodes[scenario.start].choices[0]
    client.post(f"/attempts/{attempt_id}/choices", data={"step": "0", "choice": first.id})
    # Coming back later: the scenario page offers to continue, and Start resumes.
    page = client.get(f"/scenarios/{scenario.id}").text
    assert f"/attempts/{attempt_id}" in page and "Continue where you stopped" in page
    response = client.post(f"/scenarios/{scenario.id}/attempts")
    assert response.location == f"/attempts/{attempt_id}"
    assert "Decision 2" in client.get(f"/attempts/{attempt_id}").text


def test_repeated_choice_records_nothing_and_says_where_you_are(app, client, login_as, library):
    login_as("ann")
    scenario = library.scenarios["rigid-provider"]
    attempt_id = start_attempt(client, scenario.id)
    choice = scenario.nodes[scenario.start].choices[0].id
    for _ in range(3):
        response = client.post(f"/attempts/{attempt_id}/choices",
                               data={"step": "0", "choice": choice}, headers=HX)
        assert response.status_code == 200
    assert "nothing new was recorded" in response.text
    with app.app_context():
        assert db.session.query(Step).filter_by(attempt_id=attempt_id).count() == 1


def test_forged_choice_is_refused_with_a_clear_message(app, client, login_as):
    login_as("ann")
    attempt_id = start_attempt(client, "broken-guitar")
    for data in ({"step": "0", "choice": "c99"}, {"step": "x", "choice": "c1"}, {}):
        response = client.post(f"/attempts/{attempt_id}/choices", data=data)
        assert response.status_code == 400
        assert "choice" in response.text.lower() or "option" in response.text.lower()
    with app.app_context():
        assert db.session.query(Step).filter_by(attempt_id=attempt_id).count() == 0


def test_someone_elses_attempt_is_not_found(client, login_as):
    login_as("ann")
    attempt_id = start_attempt(client, "broken-guitar")
    login_as("bob")
    assert client.get(f"/attempts/{attempt_id}").status_code == 404
    response = client.post(f"/attempts/{attempt_id}/choices", data={"step": "0", "choice": "c1"})
    assert response.status_code == 404


def test_unknown_scenario_is_not_found(client, login_as):
    login_as("ann")
    assert client.get("/scenarios/no-such-thing").status_code == 404
    assert client.post("/scenarios/no-such-thing/attempts").status_code == 404


def test_best_and_latest_scores_are_kept(client, login_as, library):
    login_as("ann")
    scenario = library.scenarios["rude-receptionist"]
    best, worst, _ = best_worst_mixed(scenario)
    for path in (best, worst):
        play(client, start_attempt(client, scenario.id), path, htmx=False)
    page = client.get(f"/scenarios/{scenario.id}").text
    assert "best 100%" in page and "attempts: 2" in page
    assert re.search(r"latest (\d+)%", page).group(1) != "100"


def test_retry_is_one_click_from_the_debrief(client, login_as, library):
    login_as("ann")
    scenario = library.scenarios["broken-guitar"]
    best, worst, _ = best_worst_mixed(scenario)
    attempt_id = start_attempt(client, scenario.id)
    play(client, attempt_id, worst, htmx=True)
    debrief = client.get(f"/attempts/{attempt_id}").text
    assert 'name="restart" value="1"' in debrief
    assert '<button type="submit" class="primary">Try again</button>' in debrief
    response = client.post(f"/scenarios/{scenario.id}/attempts", data={"restart": "1"})
    again = int(response.location.rsplit("/", 1)[1])
    assert again != attempt_id
    play(client, again, best, htmx=True)
    passed = client.get(f"/attempts/{again}").text
    assert "Try again" not in passed and "Play it again" in passed


def test_broken_scenario_is_shown_unavailable_and_the_others_play(tmp_path, library):
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    shutil.copy(CONTENT / "broken" / "graph-errors.md", folder)
    _, client = app_on_folder(tmp_path, folder)
    page = client.get("/scenarios").text
    assert "Unavailable" in page and "graph-errors.md:15:" in page
    assert client.get("/scenarios/graph-errors").status_code == 404
    assert start_attempt(client, "rigid-provider")


def test_editing_a_scenario_keeps_the_history_of_earlier_attempts(tmp_path, library):
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    _, client = app_on_folder(tmp_path, folder)
    scenario = library.scenarios["broken-guitar"]
    best, _, _ = best_worst_mixed(scenario)
    finished = start_attempt(client, scenario.id)
    play(client, finished, best, htmx=False)
    unfinished = start_attempt(client, "rude-receptionist")
    receptionist = library.scenarios["rude-receptionist"]
    first = best_worst_mixed(receptionist)[0][0]
    client.post(f"/attempts/{unfinished}/choices", data={"step": "0", "choice": first[1]})

    # The author rewrites the texts of both scenarios; the app restarts with the new files.
    for name in ("broken-guitar.md", "rude-receptionist.md"):
        path = folder / name
        path.write_text(re.sub(r"^(## [a-z0-9-]+\n\n)", r"\1(Revised) ", path.read_text(),
                               flags=re.M))
    app2 = make_app(tmp_path, SCENARIOS_DIR=str(folder))
    client2 = app2.test_client()
    login(client2, "ann")
    debrief = client2.get(f"/attempts/{finished}").text
    assert "100%" in debrief and "(Revised)" not in debrief
    page = client2.get(f"/attempts/{unfinished}").text
    assert "Decision 2" in page and "(Revised)" not in page
    new = start_attempt(client2, "broken-guitar")
    play(client2, new, best, htmx=True)
    assert "(Revised)" in client2.get(f"/attempts/{new}").text


BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def test_a_start_sent_by_htmx_answers_with_the_play_page_and_its_address(client, login_as,
                                                                        library):
    login_as("ann")
    scenario = library.scenarios["rude-receptionist"]
    response = client.post(f"/scenarios/{scenario.id}/attempts", data={"restart": "1"},
                           headers=BOOSTED)
    assert response.status_code == 200
    address = response.headers["HX-Push-Url"]
    assert re.fullmatch(r"/attempts/\d+", address)
    # The whole page (htmx swaps the body and takes the title), at its first decision.
    assert "<html" in response.text and f"<title>{scenario.title}" in response.text
    assert "Decision 1" in response.text and 'name="step" value="0"' in response.text
    assert response.text == client.get(address).text
    # Start without restart resumes that attempt, in the same way.
    again = client.post(f"/scenarios/{scenario.id}/attempts", headers=BOOSTED)
    assert again.headers["HX-Push-Url"] == address


def test_the_start_buttons_are_sent_by_htmx_and_work_without_it(client, login_as, library):
    login_as("ann")
    scenario = library.scenarios["broken-guitar"]
    start_form = re.compile(rf'<form method="post" action="/scenarios/{scenario.id}/attempts"'
                            r' data-hx-boost="true">')
    assert start_form.search(client.get(f"/scenarios/{scenario.id}").text)
    attempt_id = start_attempt(client, scenario.id)  # no htmx: redirected, as before
    play(client, attempt_id, best_worst_mixed(scenario)[0], htmx=True)
    assert start_form.search(client.get(f"/attempts/{attempt_id}").text)  # Try again


def test_a_boosted_start_that_fails_shows_a_whole_error_page(client, login_as):
    login_as("ann")
    response = client.post("/scenarios/no-such-thing/attempts", headers=BOOSTED)
    assert response.status_code == 404
    assert "<html" in response.text and '<nav aria-label="Main">' in response.text
    fragment = client.post("/scenarios/no-such-thing/attempts", headers=HX)
    assert fragment.status_code == 404 and "<html" not in fragment.text


def test_a_version_id_is_remembered_only_once_it_is_stored_for_good(app, library):
    from trainer.models import Department, ScenarioVersion
    from trainer.store import content

    scenario = library.scenarios["rigid-provider"]
    with app.app_context():
        assert db.session.scalar(select(ScenarioVersion.id)) is None  # never played yet
        db.session.add(Department(name="Opened a transaction"))  # as a start has, by then
        db.session.flush()
        first = content.version_id(scenario)  # made now, in this transaction
        db.session.rollback()  # ... which is undone
        assert db.session.get(ScenarioVersion, first) is None
        second = content.version_id(scenario)
        db.session.commit()
        assert db.session.get(ScenarioVersion, second).scenario_id == scenario.id
        assert content.version_id(scenario) == second
        assert content.scenario_of(second) is content.current(scenario.id)
