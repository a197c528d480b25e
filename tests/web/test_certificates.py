"""Certificates of completion and their public check, recertification (renew_after_months),
and due dates moved with how late the work was kept on record."""
from __future__ import annotations

import re
from datetime import date, timedelta

import probes
import pytest
from conftest import TODAY, login, make_app, make_org, signed_in
from small_content import write_content
from sqlalchemy import select

from trainer.engine import available_choices
from trainer.engine.modules import add_months
from trainer.extensions import db
from trainer.models import Assignment, Attempt, Completion, DueDateChange, User
from trainer.store import assignments, completions, content, progress


def renewing_app(tmp_path, months: int = 12):
    """The small content with onboarding renewed every `months` months."""
    folder = write_content(tmp_path / "scenarios")
    modules = folder / "modules.yaml"
    text = modules.read_text("utf-8").replace(
        "- id: onboarding\n", f"- id: onboarding\n  renew_after_months: {months}\n", 1)
    modules.write_text(text, "utf-8")
    app = make_app(tmp_path, SCENARIOS_DIR=str(folder))
    return app, make_org(app)


def pass_module(app, user_id: int, module_id: str) -> None:
    with app.app_context():
        probes.pass_module(user_id, module_id)


def assign(app, short_ids: list[int], module_id: str, due: date) -> None:
    with app.app_context():
        people = [db.session.get(User, user_id) for user_id in short_ids]
        assignments.assign(content.module(module_id), people, due, None)


@pytest.fixture
def completed(tmp_path):
    """Ann has completed onboarding (renewed yearly); (app, people, completion id)."""
    app, people = renewing_app(tmp_path)
    assign(app, [people.ids["ann"]], "onboarding", TODAY + timedelta(days=10))
    pass_module(app, people.ids["ann"], "onboarding")
    with app.app_context():
        [completion] = db.session.scalars(select(Completion)).all()
        return app, people, completion.id


def test_completing_a_module_gives_a_certificate_linked_from_my_training(completed):
    app, people, completion_id = completed
    [ann] = signed_in(app, "ann")
    home = ann.get("/").text
    assert f'href="/certificates/{completion_id}"' in home
    assert "Your certificates" in home
    page = ann.get(f"/certificates/{completion_id}")
    assert page.status_code == 200
    text = page.text
    assert "Certificate of completion" in text and "Ann Employee" in text
    assert "Onboarding for tests" in text
    valid_until = add_months(TODAY, 12)
    assert f"valid until {valid_until.day} {valid_until.strftime('%B %Y')}" in text
    assert "Case 0 (late-delivery)" in text and "Case 1 (wrong-size)" in text
    assert re.search(r"<td>\d+%</td>", text)
    with app.app_context():
        token = db.session.get(Completion, completion_id).token
    assert f"/verify/{token}" in text


def test_the_debrief_of_the_completing_attempt_links_the_certificate(tmp_path):
    app, people = renewing_app(tmp_path)
    assign(app, [people.ids["ann"]], "onboarding", TODAY + timedelta(days=10))
    pass_module(app, people.ids["ann"], "onboarding")
    with app.app_context():
        last = db.session.execute(select(Completion.id)).scalar_one()
        attempt_id = db.session.scalars(select(Attempt.id).order_by(Attempt.id.desc())).first()
    [ann] = signed_in(app, "ann")
    debrief = ann.get(f"/attempts/{attempt_id}").text
    assert "complete." in debrief
    assert f'href="/certificates/{last}"' in debrief


def test_the_check_page_is_open_to_anyone_and_tells_nothing_more(completed):
    app, people, completion_id = completed
    with app.app_context():
        token = db.session.get(Completion, completion_id).token
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{token}")
    assert page.status_code == 200
    assert page.headers["X-Robots-Tag"] == "noindex"
    text = page.text
    assert "Genuine." in text and "Ann Employee" in text and "Onboarding for tests" in text
    assert TODAY.isoformat() in text
    # Nothing else about Ann: no email, team, department, scores, scenarios, attempts,
    # other modules, nor any link into the app beyond the header's.
    for secret in ("ann@example.com", "Showroom", "Sales", "%", "Case 0", "late-delivery",
                   "/attempts/", "/certificates/", "/manage/", "First contact"):
        assert secret not in text, secret
    assert anonymous.get(f"/verify/{token[:-1]}x").status_code == 404
    assert anonymous.get("/verify/" + "a" * 200).status_code == 404
    # The certificate page itself needs signing in.
    assert anonymous.get(f"/certificates/{completion_id}").status_code == 302


def test_only_the_learner_and_the_leads_who_follow_them_open_a_certificate(completed):
    app, people, completion_id = completed
    url = f"/certificates/{completion_id}"
    for short, status in (("ann", 200), ("bob", 404), ("mia", 200), ("max", 404),
                          ("hugo", 200), ("ada", 200)):
        client = app.test_client()
        login(client, short)
        assert client.get(url).status_code == status, short


def test_a_completion_runs_out_and_its_renewal_opens_then_completes_again(completed):
    app, people, completion_id = completed
    ann_id = people.ids["ann"]
    runs_out = add_months(TODAY, 12)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).filter_by(user_id=ann_id))
        assert assignment.renew_on == runs_out
        assert db.session.execute(completions.certified(runs_out)).all() == \
            [(ann_id, "onboarding")]
        assert db.session.execute(
            completions.certified(runs_out + timedelta(days=1))).all() == []
    # 31 days before it runs out, nothing changes; 30 days before, the renewal opens.
    [ann] = signed_in(app, "ann")
    app.config["TODAY"] = runs_out - timedelta(days=31)
    assert "Renewal due" not in ann.get("/").text
    app.config["TODAY"] = runs_out - timedelta(days=30)
    home = ann.get("/").text
    assert "Renewal due" in home
    assert f"your earlier completion runs out on {runs_out.isoformat()}" in home
    assert "0 of 2 scenarios passed" in home  # only attempts from the renewal on count
    assert f'href="/certificates/{completion_id}"' in home  # the old one stays
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).filter_by(user_id=ann_id))
        assert assignment.completed_at is None and assignment.due_date == runs_out
        assert assignment.renewal
    # A lead's team page shows it as renewal due; once past the date, overdue.
    [mia] = signed_in(app, "mia")
    assert "renewal due" in mia.get(f"/manage/teams/{people.teams['x']}").text
    pass_module(app, ann_id, "onboarding")
    with app.app_context():
        rounds = db.session.scalars(select(Completion).order_by(Completion.id)).all()
        assert len(rounds) == 2 and rounds[0].id == completion_id
        assignment = db.session.scalar(select(Assignment).filter_by(user_id=ann_id))
        assert assignment.completed_at is not None
        assert assignment.renew_on == add_months(rounds[1].completed_at.date(), 12)
    assert "Renewal due" not in ann.get("/").text


def test_a_renewal_not_done_in_time_is_overdue(completed):
    app, people, _ = completed
    runs_out = add_months(TODAY, 12)
    app.config["TODAY"] = runs_out + timedelta(days=1)
    [mia] = signed_in(app, "mia")
    page = mia.get(f"/manage/people/{people.ids['ann']}").text
    assert re.search(r"<td data-label=\"Status\">overdue</td>", page)


def test_renew_after_months_is_checked_with_its_line(tmp_path):
    from trainer.engine.modules import parse_modules

    text = ("- id: m\n  title: M\n  summary: S\n  scenarios: [a]\n  pass_mark: 70\n"
            "  minutes: 5\n  renew_after_months: 0\n")
    modules, problems = parse_modules(text, "modules.yaml", {"a"})
    assert modules == {}
    assert [str(p) for p in problems] == [
        "modules.yaml:7: 'renew_after_months' must be a whole number from 1 to 120"]


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 15), 12) == date(2028, 11, 15)
    assert add_months(date(2027, 12, 1), 1) == date(2028, 1, 1)


def test_moving_an_overdue_due_date_keeps_how_late_it_was(app, people):
    """Defect: moving a due date forward erased that the person had been late."""
    late_due = TODAY - timedelta(days=6)
    with app.app_context():
        ann = db.session.get(User, people.ids["ann"])
        mia = db.session.get(User, people.ids["mia"])
        module = content.module("onboarding")
        db.session.add(Assignment(user_id=ann.id, module_id=module.id, due_date=late_due))
        db.session.commit()
        result = assignments.assign(module, [ann], TODAY + timedelta(days=14), mia,
                                    move_due=True, today=TODAY)
        assert result.updated == 1 and result.moved_overdue == 1
        [change] = db.session.scalars(select(DueDateChange)).all()
        assert (change.old_due, change.days_overdue, change.changed_by_id) == \
            (late_due, 6, mia.id)
    [mia_client] = signed_in(app, "mia")
    page = mia_client.get(f"/manage/people/{people.ids['ann']}").text
    assert "Due dates moved" in page and "6 days overdue" in page
    assert late_due.isoformat() in page and "Mia Manager" in page


def test_the_assign_form_says_how_many_moved_dates_were_overdue(app, people):
    with app.app_context():
        ann = db.session.get(User, people.ids["ann"])
        db.session.add(Assignment(user_id=ann.id, module_id="onboarding",
                                  due_date=TODAY - timedelta(days=2)))
        db.session.commit()
    [mia] = signed_in(app, "mia")
    response = mia.post("/manage/assign", data={
        "module": "onboarding", "due": (TODAY + timedelta(days=7)).isoformat(),
        "target": f"team:{people.teams['x']}", "move_due": "y"}, follow_redirects=True)
    assert "due date moved for 1 (1 of them overdue: how late they were stays on their " \
        "page)" in response.text


def test_an_attempt_begun_before_a_renewal_and_finished_in_it_counts(completed):
    """Found by a user's walk: My training offered "Continue" on an attempt begun before the
    renewal opened, and once finished it did not count towards the renewal."""
    app, people, _ = completed
    ann_id = people.ids["ann"]
    with app.app_context():
        first, second = content.module("onboarding").scenarios
        scenario = content.current(first)
        ann = db.session.get(User, ann_id)
        waiting = progress.start_attempt(ann, scenario)  # begun, left open
        runs_out = db.session.scalar(select(Assignment.renew_on).filter_by(user_id=ann_id))
    app.config["TODAY"] = runs_out - timedelta(days=30)
    [client] = signed_in(app, "ann")
    home = client.get("/").text
    assert "Renewal due" in home and f"/attempts/{waiting.id}" in home  # Continue: ...
    with app.app_context():
        attempt = db.session.get(type(waiting), waiting.id)
        while not attempt.finished:
            choices = available_choices(scenario, progress.play_state(attempt))
            progress.record_choice(attempt, attempt.step_count,
                                   max(choices, key=lambda c: c.points).id)
    assert "1 of 2 scenarios passed" in client.get("/").text


def test_a_short_renewal_does_not_open_the_day_it_is_completed(tmp_path):
    """Found by a user's walk: with renew_after_months: 1 and 30 days' notice, the renewal
    opened again the day after it was done."""
    app, people = renewing_app(tmp_path, months=1)
    assign(app, [people.ids["ann"]], "onboarding", TODAY + timedelta(days=10))
    pass_module(app, people.ids["ann"], "onboarding")
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).filter_by(user_id=people.ids["ann"]))
        runs_out = add_months(TODAY, 1)
        assert assignment.renew_on == runs_out
        half = TODAY + (runs_out - TODAY) / 2
        assert assignment.renewal_opens_on == half  # not 30 days before: that is today
        assert completions.open_renewals(half - timedelta(days=1)) == 0
        assert completions.open_renewals(half) == 1


def test_renewals_on_a_page_cost_the_same_statements_however_many(tmp_path):
    """The team matrix and My training read every open renewal's round in one query."""
    from sqlalchemy import event

    from trainer.store import teams

    app, people = renewing_app(tmp_path)
    for short in ("ann", "mia"):
        assign(app, [people.ids[short]], "onboarding", TODAY + timedelta(days=10))
    pass_module(app, people.ids["ann"], "onboarding")

    def statements(day) -> int:
        app.config["TODAY"] = day
        count = [0]
        with app.app_context():
            completions.open_renewals(day)
            engine = db.engine
            listener = lambda *_: count.__setitem__(0, count[0] + 1)  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                team = db.session.get(User, people.ids["ann"]).team
                teams.matrix(team, day)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            db.session.remove()
        return count[0]

    runs_out = add_months(TODAY, 12)
    one = statements(runs_out - timedelta(days=30))  # Ann's renewal open
    pass_module(app, people.ids["mia"], "onboarding")
    with app.app_context():
        db.session.execute(
            Assignment.__table__.update().where(Assignment.user_id == people.ids["mia"])
            .values(renewal_opens_on=runs_out - timedelta(days=30),
                    renew_on=runs_out))
        db.session.commit()
    two = statements(runs_out - timedelta(days=30))  # Mia's too
    assert one == two
