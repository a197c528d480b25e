"""The end of a play-through and the way to it: verdict, next step, feedback timing, and the
per-principle picture, on the small scenarios folder (tests/small_content.py)."""
import re
from datetime import timedelta

import pytest
from conftest import TODAY
from probes import play as play_path
from probes import start_attempt
from small_content import AT_END, MODULES

from trainer.charts import percent_chart
from trainer.extensions import db
from trainer.models import Attempt, User
from trainer.store import assignments, content

BEST = [("call", "c1"), ("offer", "c1")]  # apologise, then fix and compensate: 100%, good
WORST = [("call", "c2"), ("offer", "c2")]  # blame the courier, then the bare slot: 0%, bad
FEEDBACK = ("You admit the failure and use her name", "You fix it and compensate")


@pytest.fixture
def app(small_app):
    return small_app


def assign(app, user_id: int, module_id: str) -> None:
    with app.app_context():
        assignments.assign(content.module(module_id), [db.session.get(User, user_id)],
                           TODAY + timedelta(days=7), None)


def choose(client, attempt_id: int, index: int, choice_id: str, htmx: bool = False):
    return client.post(f"/attempts/{attempt_id}/choices",
                       data={"step": str(index), "choice": choice_id},
                       headers={"HX-Request": "true"} if htmx else {})


def debrief_of(client, scenario_id: str, path) -> str:
    """Play a path from a new attempt: the debrief page."""
    attempt_id = start_attempt(client, scenario_id)
    play_path(client, attempt_id, path)
    return client.get(f"/attempts/{attempt_id}").text


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def primary(html: str) -> str:
    """The label of the debrief's leading action."""
    verdict = re.search(r'<section[^>]*class="verdict.*?</section>', html, re.S)[0]
    found = re.search(r'class="(?:button )?primary"[^>]*>([^<]+)<', verdict)
    return found[1].strip()


def test_the_debrief_leads_with_the_verdict_and_the_next_step(client, people, login_as, app):
    assign(app, people.ids["ann"], "onboarding")
    first, second = MODULES["onboarding"][1]
    login_as("ann")

    page = debrief_of(client, first, WORST)
    assert '<h2 id="verdict-heading">Not passed</h2>' in page
    assert "0% against a pass mark of 70%" in text_of(page)
    assert "The story ended badly" in page
    assert primary(page) == "Try again"
    assert page.index("verdict-heading") < page.index("By principle")  # the verdict first

    page = debrief_of(client, first, BEST)
    assert '<h2 id="verdict-heading">Passed</h2>' in page
    assert primary(page) == "Next in Onboarding for tests: Case 1 (wrong-size)"
    assert f'action="/scenarios/{second}/attempts"' in page
    assert "Try again" not in page and "Play it again" in page

    page = debrief_of(client, second, BEST)
    assert "<strong>Onboarding for tests: complete.</strong> You have passed every scenario" in page
    assert primary(page) == "Back to My training"


def test_practice_outside_any_module_ends_with_the_verdict_and_my_training(client, login_as):
    login_as("ann")
    page = debrief_of(client, "cold-soup", BEST)
    assert '<h2 id="verdict-heading">Passed</h2>' in page
    assert "Next in" not in page and primary(page) == "Back to My training"


LATE_SLIP = """---
id: late-slip
title: The late slip
summary: A small slip early makes a good answer later too late.
role: You answer the phone for a furniture shop.
start: call
variables:
  trust: 40
---

## call

Mrs Nowak calls about the sofa that never came.

```choices
- text: Greet her warmly.
  goto: offer
  weights: {courtesy: 1}
  feedback: Warm (Courtesy).
- text: Answer flatly.
  goto: offer
  weights: {courtesy: -1}
  change: {trust: -30}
  feedback: Flat (Courtesy).
```

## offer

The van broke down.

```choices
- text: Fix it and refund the fee.
  goto:
    - if: trust < 30
      to: lost
    - to: saved
  weights: {own-mistakes: 3}
  feedback: Right, if she is still listening (Own mistakes).
- text: Blame the courier.
  goto: lost
  weights: {own-mistakes: -3}
  feedback: Wrong (Own mistakes).
```

## saved

She accepts.

```ending
kind: good
title: Saved
```

## lost

She cancels.

```ending
kind: bad
title: Lost
```
"""


def test_a_bad_ending_fails_even_above_the_pass_mark(tmp_path):
    """One small slip (0 of 2) and then the best answer (6 of 6) scores 75%, above the pass
    mark, but the customer was already lost: not passed."""
    from conftest import login, make_app, make_org
    from small_content import write_content

    folder = write_content(tmp_path / "scenarios")
    (folder / "late-slip.md").write_text(LATE_SLIP, "utf-8")
    app = make_app(tmp_path, SCENARIOS_DIR=str(folder))
    make_org(app)
    client = app.test_client()
    login(client, "ann")
    page = debrief_of(client, "late-slip", [("call", "c2"), ("offer", "c1")])
    assert "75% against a pass mark of 75%" in text_of(page)
    assert '<h2 id="verdict-heading">Not passed</h2>' in page
    assert "The story ended badly, which fails a play-through whatever its score." in page
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).filter_by(scenario_id="late-slip"))
        assert (attempt.percent, attempt.ending_kind, attempt.passed) == (75, "bad", False)
        db.engine.dispose()


def test_practice_shows_what_happens_next_then_the_lesson(client, people, login_as):
    login_as("ann")
    attempt_id = start_attempt(client, "late-delivery")
    page = choose(client, attempt_id, 0, "c1", htmx=True).text
    consequence = page.index("The van broke down")
    lesson = page.index(FEEDBACK[0])
    assert consequence < lesson
    assert 'class="feedback good"' not in page and 'class="feedback poor"' not in page
    assert '<p class="you-said">' in page


def test_an_assessment_keeps_every_lesson_for_the_debrief(app, client, people, login_as):
    module_id = next(iter(AT_END))
    scenario_id = MODULES[module_id][1][0]
    assign(app, people.ids["ann"], module_id)
    login_as("ann")
    attempt_id = start_attempt(client, scenario_id)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).feedback == "at-end"
    page = choose(client, attempt_id, 0, "c1", htmx=True).text
    assert "The van broke down" in page  # what the customer does next
    assert FEEDBACK[0] not in page and 'class="feedback"' not in page
    assert "Assessment: the feedback comes in the debrief" in page
    assert FEEDBACK[0] not in client.get(f"/attempts/{attempt_id}").text  # nor on reload
    choose(client, attempt_id, 1, "c1")
    debrief = client.get(f"/attempts/{attempt_id}").text
    assert all(lesson in debrief for lesson in FEEDBACK)


def test_the_same_scenario_is_practice_for_someone_without_the_assessment(app, client,
                                                                           people, login_as):
    login_as("bob")
    scenario_id = MODULES[next(iter(AT_END))][1][0]
    attempt_id = start_attempt(client, scenario_id)
    page = choose(client, attempt_id, 0, "c1", htmx=True).text
    assert FEEDBACK[0] in page


def test_principle_bars_run_from_0_to_100_and_never_draw_a_negative(client, login_as):
    login_as("ann")
    page = debrief_of(client, "late-delivery", WORST)
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([-\d.]+)" height="18" '
                                           r'class="plus"', page)]
    assert widths and all(w == 0 for w in widths)  # the worst options: nothing gained
    assert "-" not in "".join(re.findall(r'class="value">([^<]*)<', page))
    home = client.get("/").text  # the learner's own principle picture, over attempts
    assert '<meter aria-label="Own mistakes, fix them, compensate unasked" min="0" max="100"' \
        in home and 'min="-100"' not in home
    chart = percent_chart([("a", 0, 100), ("b", 31, 100), ("c", 100, 100)])
    assert [round(bar.width / 300 * 100) for bar in chart.bars] == [0, 31, 100]


def test_learners_open_their_past_attempts_from_the_scenario_page(client, people, login_as):
    login_as("ann")
    debrief_of(client, "late-delivery", WORST)
    debrief_of(client, "late-delivery", BEST)
    page = client.get("/scenarios/late-delivery").text
    links = re.findall(r'<a href="(/attempts/\d+)">', page)
    assert len(links) == 2
    assert "Not passed" in client.get(links[1]).text and "Passed" in client.get(links[0]).text
    login_as("bob")  # someone else's attempt is not theirs to open
    assert client.get(links[0]).status_code == 404


def test_the_manager_sees_which_slips_the_team_makes(client, people, login_as):
    login_as("ann")
    debrief_of(client, "late-delivery", WORST)
    login_as("mia")
    page = client.get(f"/manage/teams/{people.teams['x']}/choices?scenario=late-delivery").text
    rows = re.findall(r'<tr class="(wrong|)"><th scope="row">([^<]+)</th><td[^>]*>([^<]+)</td>'
                      r'\s*<td[^>]*>([^<]+)</td>', page)
    by_text = {text.strip(): (kind, points, against) for kind, text, points, against in rows}
    assert by_text["Deliveries are handled by the courier, not by us."] == ("wrong", "-2", "−5")
    assert by_text["The next free slot is Saturday."] == ("wrong", "-1", "−4")
    assert by_text["I&#39;m so sorry, Mrs Nowak. Let me find out what happened right now."] \
        == ("", "+3", "best")


def test_the_scenario_page_lists_only_the_newest_finished_attempts(client, login_as):
    from trainer.store.progress import PAST_SHOWN

    login_as("ann")
    for _ in range(PAST_SHOWN + 2):
        debrief_of(client, "late-delivery", WORST)
    page = client.get("/scenarios/late-delivery").text
    assert len(re.findall(r'<a href="/attempts/\d+">', page)) == PAST_SHOWN
    assert f"The newest {PAST_SHOWN} of {PAST_SHOWN + 2}." in page
