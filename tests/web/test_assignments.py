"""Assignments: who may assign what to whom, no duplicates, and status from attempts."""
import re
from datetime import date, datetime, timedelta

import pytest
from conftest import TODAY
from engine_paths import best_worst_mixed
from probes import play, start_attempt
from small_content import MODULES
from sqlalchemy import func, select

from trainer.engine import best_path
from trainer.extensions import db
from trainer.models import Assignment, User
from trainer.store import assignments, content, org, training

MODULE = "onboarding"
SCENARIOS = MODULES[MODULE][1]
NEXT_MONTH = TODAY + timedelta(days=30)


@pytest.fixture
def app(small_app):
    """The app on the small scenarios folder (tests/small_content.py)."""
    return small_app


def assign(client, target: str, due: date = NEXT_MONTH, module: str = MODULE,
           return_to: str = "/manage/", move_due: bool = False):
    data = {"module": module, "target": target, "due": due.isoformat(), "return_to": return_to}
    return client.post("/manage/assign", data=data | ({"move_due": "y"} if move_due else {}))


def assigned(app) -> dict[tuple[int, str], date]:
    """(user id, module id) -> due date, for every assignment."""
    with app.app_context():
        return {(a.user_id, a.module_id): a.due_date
                for a in db.session.scalars(select(Assignment))}


def assignment_of(user_id: int, module_id: str = MODULE) -> Assignment:
    return db.session.scalar(select(Assignment).filter_by(user_id=user_id, module_id=module_id))


def status_of(user_id: int, module_id: str = MODULE) -> str:
    progress = training.my_modules(db.session.get(User, user_id), TODAY)
    return next(p.status for p in progress if p.module.id == module_id)


# --- who may assign what ---------------------------------------------------------------------

def test_a_manager_assigns_a_module_to_a_member_of_their_team(app, client, people, login_as):
    login_as("mia")
    back = f"/manage/teams/{people.teams['x']}"
    response = assign(client, f"user:{people.ids['ann']}", return_to=back)
    assert response.status_code == 302 and response.location == back
    assert assigned(app) == {(people.ids["ann"], MODULE): NEXT_MONTH}
    with app.app_context():
        assert assignment_of(people.ids["ann"]).assigned_by_id == people.ids["mia"]
    assert "Onboarding for tests: assigned to 1 new" in client.get(back).text


def test_a_manager_assigns_to_the_whole_team_but_not_to_deactivated_members(
        app, client, people, login_as):
    with app.app_context():
        leaver = org.create_user("Lee Leaver", "lee@example.com", {"employee"},
                                 team=db.session.get(org.Team, people.teams["x"]))
        org.deactivate(leaver)
        db.session.commit()
    login_as("mia")
    assert assign(client, f"team:{people.teams['x']}").status_code == 302
    assert assigned(app) == {(people.ids["ann"], MODULE): NEXT_MONTH,
                             (people.ids["mia"], MODULE): NEXT_MONTH}


def test_assigning_again_never_duplicates_and_moves_a_due_date_only_when_asked(
        app, client, people, login_as):
    login_as("mia")
    team = f"team:{people.teams['x']}"
    assign(client, team)
    assign(client, f"user:{people.ids['ann']}")
    assert assigned(app) == {(people.ids["ann"], MODULE): NEXT_MONTH,
                             (people.ids["mia"], MODULE): NEXT_MONTH}
    later = NEXT_MONTH + timedelta(days=7)
    assign(client, team, due=later)  # the box not ticked: everyone keeps their date
    assert assigned(app) == {(people.ids["ann"], MODULE): NEXT_MONTH,
                             (people.ids["mia"], MODULE): NEXT_MONTH}
    assert "assigned to 0 new people; 2 already had it and keep their own due date" in \
        client.get("/manage/").text
    assign(client, team, due=later, move_due=True)
    assert assigned(app) == {(people.ids["ann"], MODULE): later,
                             (people.ids["mia"], MODULE): later}
    assert "assigned to 0 new people; due date moved for 2." in client.get("/manage/").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 2


def test_a_completed_assignment_keeps_its_date_when_assigned_again(app, people):
    with app.app_context():
        ann = db.session.get(User, people.ids["ann"])
        module = content.module(MODULE)
        assignments.assign(module, [ann], NEXT_MONTH, None)
        assignment_of(ann.id).completed_at = datetime.now()
        result = assignments.assign(module, [ann], NEXT_MONTH + timedelta(days=1), None)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
        assert assignment_of(ann.id).due_date == NEXT_MONTH


# Mia manages team x (Ann and herself); Bob and Max are in team y, Cat in team z, both in
# other teams; Hugo is HR with no team.
FORBIDDEN_TO_MIA = ["user:bob", "user:max", "user:cat", "user:hugo", "team:y", "team:z",
                    "department:sales", "department:support", "user:999999", "team:999999",
                    "user:²", "nonsense"]


def target_id(people, target: str) -> str:
    kind, _, short = target.partition(":")
    ids = {**people.ids, **people.teams, **people.departments}
    return f"{kind}:{ids[short]}" if short in ids else target


@pytest.mark.parametrize("target", FORBIDDEN_TO_MIA)
def test_a_manager_cannot_assign_outside_their_teams(app, client, people, login_as, target):
    login_as("mia")
    response = assign(client, target_id(people, target))
    assert response.status_code == 404
    assert assigned(app) == {}


def test_a_manager_cannot_reach_another_team_through_its_page(app, client, people, login_as):
    login_as("mia")
    response = client.post("/manage/assign", data={
        "module": MODULE, "target": f"user:{people.ids['bob']}", "due": NEXT_MONTH.isoformat(),
        "team_id": str(people.teams["y"]), "return_to": f"/manage/teams/{people.teams['y']}"})
    assert response.status_code == 404
    assert assigned(app) == {}


def test_hr_assigns_a_module_to_a_whole_department(app, client, people, login_as):
    login_as("hugo")
    assert assign(client, f"department:{people.departments['sales']}").status_code == 302
    sales = {"ann", "bob", "mia", "max"}
    assert assigned(app) == {(people.ids[p], MODULE): NEXT_MONTH for p in sales}


@pytest.mark.parametrize("target", ["department:999999", "team:999999", "user:999999"])
def test_hr_cannot_assign_to_what_does_not_exist(app, client, people, login_as, target):
    login_as("hugo")
    assert assign(client, target).status_code == 404
    assert assigned(app) == {}


def test_an_employee_cannot_assign(app, client, people, login_as):
    login_as("ann")
    assert assign(client, f"user:{people.ids['ann']}").status_code == 403
    assert assigned(app) == {}


# The form refuses; nothing is written and the page says why.
REFUSED = {
    "due date in the past": ({"due": (TODAY - timedelta(days=1)).isoformat()},
                             "Nothing was assigned: the due date is in the past."),
    "no due date": ({"due": ""}, "Nothing was assigned. Due date: "),
    "unknown module": ({"module": "no-such-module"}, "Nothing was assigned. Module: "),
}


@pytest.mark.parametrize("change, message", REFUSED.values(), ids=REFUSED.keys())
def test_the_assign_form_refuses_bad_values_with_a_message(app, client, people, login_as,
                                                          change, message):
    login_as("mia")
    data = {"module": MODULE, "target": f"user:{people.ids['ann']}",
            "due": NEXT_MONTH.isoformat(), "return_to": "/manage/", **change}
    response = client.post("/manage/assign", data=data)
    assert response.status_code == 302 and response.location == "/manage/"
    assert message in client.get("/manage/").text
    assert assigned(app) == {}


def test_a_due_date_of_today_is_accepted(app, client, people, login_as):
    login_as("mia")
    assign(client, f"user:{people.ids['ann']}", due=TODAY)
    assert assigned(app) == {(people.ids["ann"], MODULE): TODAY}


# --- status ----------------------------------------------------------------------------------

YESTERDAY, TOMORROW, NOW = TODAY - timedelta(days=1), TODAY + timedelta(days=1), datetime.now()
# (started, completed, due) -> status: completion wins, then a past due date, then a start.
STATUS = [
    (None, None, TOMORROW, assignments.NOT_STARTED),
    (None, None, TODAY, assignments.NOT_STARTED),
    (NOW, None, TOMORROW, assignments.IN_PROGRESS),
    (None, None, YESTERDAY, assignments.OVERDUE),
    (NOW, None, YESTERDAY, assignments.OVERDUE),
    (NOW, NOW, TOMORROW, assignments.COMPLETED),
    (NOW, NOW, YESTERDAY, assignments.COMPLETED),
]


def test_status_follows_start_completion_and_due_date(app, people):
    with app.app_context():
        ids = []
        for number, (started, completed, due, _) in enumerate(STATUS):
            user = org.create_user(f"Case {number}", f"case{number}@example.com", {"employee"})
            db.session.add(Assignment(user_id=user.id, module_id=MODULE, due_date=due,
                                      started_at=started, completed_at=completed))
            ids.append(user.id)
        db.session.commit()
        assert [status_of(user_id) for user_id in ids] == [row[-1] for row in STATUS]


def assign_the_module(app, user_id: int) -> dict:
    """Give one person MODULE, due next month; returns its scenarios by id."""
    with app.app_context():
        assignments.assign(content.module(MODULE), [db.session.get(User, user_id)],
                           NEXT_MONTH, None)
        return {sid: content.current(sid) for sid in SCENARIOS}


def test_status_moves_from_not_started_to_in_progress_to_completed(app, client, people,
                                                                   login_as):
    ann = people.ids["ann"]
    scenarios = assign_the_module(app, ann)
    with app.app_context():
        assert status_of(ann) == assignments.NOT_STARTED
    login_as("ann")

    first, second = SCENARIOS
    attempt = start_attempt(client, first)
    with app.app_context():
        assert status_of(ann) == assignments.IN_PROGRESS
        assert assignment_of(ann).started_at is not None
    play(client, attempt, best_path(scenarios[first]))
    # One scenario passed, one failed: not yet complete.
    attempt = start_attempt(client, second)
    play(client, attempt, best_worst_mixed(scenarios[second])[1])
    with app.app_context():
        assert status_of(ann) == assignments.IN_PROGRESS
        assert assignment_of(ann).completed_at is None

    attempt = start_attempt(client, second)
    play(client, attempt, best_path(scenarios[second]))
    with app.app_context():
        assert status_of(ann) == assignments.COMPLETED
        done = assignment_of(ann)
        assert done.completed_at is not None and done.started_at <= done.completed_at


def test_a_past_due_date_without_completion_shows_overdue(app, client, people, login_as):
    with app.app_context():
        db.session.add(Assignment(user_id=people.ids["ann"], module_id=MODULE,
                                  due_date=YESTERDAY))
        db.session.commit()
        assert status_of(people.ids["ann"]) == assignments.OVERDUE
    login_as("ann")
    card = module_card(client.get("/").text)
    assert '<span class="status">Overdue</span>' in card
    assert f"due {YESTERDAY.isoformat()}" in card


# --- My training ---------------------------------------------------------------------------

def module_card(page: str) -> str:
    cards = re.findall(r'<li class="card module.*?</li>', page, re.S)
    assert len(cards) == 1, page
    return cards[0]


def continue_target(card: str) -> tuple[str, str]:
    """Where the card's main button goes: (method, url) and its label."""
    link = re.search(r'<a class="button primary" href="([^"]+)">([^<]+)</a>', card)
    if link:
        return f"GET {link[1]}", link[2]
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>.*?<button[^>]*>([^<]+)'
                     r'</button>', card, re.S)
    return (f"POST {form[1]}", form[2]) if form else ("", "")


def test_my_training_shows_the_module_its_status_and_where_to_continue(app, client, people,
                                                                       login_as):
    ann = people.ids["ann"]
    scenarios = assign_the_module(app, ann)
    first, second = SCENARIOS
    login_as("ann")

    card = module_card(client.get("/").text)
    assert "<h2>Onboarding for tests</h2>" in card
    assert '<span class="status">Not started</span>' in card
    assert f"due {NEXT_MONTH.isoformat()}" in card and "0 of 2 scenarios passed" in card
    assert continue_target(card) == (f"POST /scenarios/{first}/attempts",
                                     f"Start: {scenarios[first].title}")

    attempt = start_attempt(client, first)
    card = module_card(client.get("/").text)
    assert '<span class="status">In progress</span>' in card
    assert continue_target(card) == (f"GET /attempts/{attempt}",
                                     f"Continue: {scenarios[first].title}")

    play(client, attempt, best_path(scenarios[first]))
    card = module_card(client.get("/").text)
    assert "1 of 2 scenarios passed" in card and "100%" in card
    assert continue_target(card) == (f"POST /scenarios/{second}/attempts",
                                     f"Start: {scenarios[second].title}")

    play(client, start_attempt(client, second), best_path(scenarios[second]))
    card = module_card(client.get("/").text)
    assert '<span class="status">Completed</span>' in card and "2 of 2 scenarios passed" in card
    with app.app_context():
        completed = assignment_of(ann).completed_at.date()
    assert f"completed {completed.isoformat()}" in card
    assert continue_target(card) == ("", "")


def test_my_training_says_so_when_nothing_is_assigned(app, client, people, login_as):
    login_as("ann")
    assert "Nothing is assigned to you yet" in client.get("/").text


@pytest.fixture
def ann_has_the_module(app, people, login_as) -> dict:
    """Ann has MODULE, due next month, and is signed in: its scenarios by id."""
    scenarios = assign_the_module(app, people.ids["ann"])
    login_as("ann")
    return scenarios


def scenario_statuses(card: str) -> list[str]:
    return re.findall(r'<td class="status-[a-z-]+">([^<]+)</td>', card)


def test_every_scenario_status_reads_the_same_way(client, ann_has_the_module):
    scenarios, (first, second) = ann_has_the_module, SCENARIOS
    assert scenario_statuses(module_card(client.get("/").text)) == ["not started"] * 2
    play(client, start_attempt(client, first), best_worst_mixed(scenarios[first])[1])
    open_second = start_attempt(client, second)
    card = module_card(client.get("/").text)
    assert scenario_statuses(card) == ["not passed yet", "in progress"]
    # The scenario list and the scenario page use the same words.
    listing = client.get("/scenarios").text
    assert '<span class="status">Not passed yet</span>' in listing
    assert '<span class="status">In progress</span>' in listing
    assert '<span class="status">Not started</span>' in listing  # never played: not "not
    assert "Not finished yet" not in listing                       # finished yet"
    play(client, open_second, best_path(scenarios[second]))
    card = module_card(client.get("/").text)
    assert scenario_statuses(card) == ["not passed yet", "passed"]
    assert continue_target(card) == (f"POST /scenarios/{first}/attempts",
                                     f"Try again: {scenarios[first].title}")


def test_a_completed_module_shows_no_continue_while_a_passed_scenario_is_replayed(
        client, ann_has_the_module):
    scenarios, second = ann_has_the_module, SCENARIOS[1]
    for sid in SCENARIOS:
        play(client, start_attempt(client, sid), best_path(scenarios[sid]))
    start_attempt(client, second)  # "Try again" on a passed scenario, then leave
    card = module_card(client.get("/").text)
    assert '<span class="status">Completed</span>' in card
    assert continue_target(card) == ("", "")
    assert scenario_statuses(card) == ["passed", "passed"]


def test_continue_leads_to_what_the_module_still_needs_not_to_a_replay(
        client, ann_has_the_module):
    scenarios, (first, second) = ann_has_the_module, SCENARIOS
    play(client, start_attempt(client, first), best_path(scenarios[first]))
    needed = start_attempt(client, second)
    start_attempt(client, first)  # a replay of the passed one, started later
    card = module_card(client.get("/").text)
    assert continue_target(card) == (f"GET /attempts/{needed}",
                                     f"Continue: {scenarios[second].title}")


def test_a_scenario_passed_before_the_assignment_counts_as_progress(app, client, people,
                                                                    login_as):
    ann = people.ids["ann"]
    login_as("ann")
    first = SCENARIOS[0]
    with app.app_context():
        path = best_path(content.current(first))
    play(client, start_attempt(client, first), path)
    assign_the_module(app, ann)
    card = module_card(client.get("/").text)
    # Not "Not started · 1 of 2 scenarios passed".
    assert '<span class="status">In progress</span>' in card
    assert "1 of 2 scenarios passed" in card


def test_a_team_wide_assignment_leaves_an_overdue_person_overdue(app, client, people,
                                                                 login_as):
    """A defect found tried as a new user would: assigning the module to the team moved an
    overdue person's due date forward and took them off every overdue list."""
    with app.app_context():
        ann = db.session.get(User, people.ids["ann"])
        assignments.assign(content.module(MODULE), [ann], TODAY + timedelta(days=7), None)
        assignment_of(ann.id).due_date = TODAY - timedelta(days=3)
        db.session.commit()
        assert status_of(ann.id) == "overdue"
    login_as("mia")
    assign(client, f"team:{people.teams['x']}")
    page = client.get("/manage/").text
    assert "assigned to 1 new person; 1 already had it and keep their own due date, 1 of them " \
        "overdue" in page
    with app.app_context():
        assert status_of(people.ids["ann"]) == "overdue"
        assert assignment_of(people.ids["ann"]).due_date == TODAY - timedelta(days=3)
