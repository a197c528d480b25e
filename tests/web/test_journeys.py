"""Every user journey in a real browser (Debian's Chromium through pytest-playwright), with
axe-core on every page seen, the Content-Security-Policy held, and screenshots kept."""
from __future__ import annotations

import csv
import re

import pytest
from browser_support import (
    AXE_MISSING,
    AXE_RUN,
    IN_CI,
    LAUNCH_ARGS,
    Journey,
    attempt_id_of,
    axe_source,
    choose,
    chromium_path,
    in_days,
    live_server,
    missing,
    no_page_loads,
    option_text,
    play,
    wait_for_step,
)
from engine_paths import best_worst_mixed
from playwright.sync_api import Page, expect

from trainer.engine import available_choices, best_path, replay, score

pytestmark = pytest.mark.slow
STALE = "nothing new was recorded"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """pytest-playwright's launch options: Debian's Chromium, not a downloaded build."""
    return {"executable_path": chromium_path(), "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """Pages are opened by full URL on each test's own server (and this replaces the plugin's
    class-based fixture, which pytest 9 warns about)."""
    return None


@pytest.fixture
def server(tmp_path):
    with live_server(tmp_path) as running:
        yield running


@pytest.fixture
def journey(request, server, new_context) -> Journey:
    axe = axe_source()
    if axe is None and IN_CI:
        pytest.fail(AXE_MISSING, pytrace=False)
    return Journey(request.node.originalname, server, new_context, axe)


CONSEQUENCE_FIRST = """() => {
    const scene = document.querySelector('#play .situation');
    const lesson = document.querySelector('#play .feedback');
    return (scene.compareDocumentPosition(lesson) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
}"""


def feedback_check(page: Page):
    """After each choice: the choice is announced in a live region; below it, what the
    customer does next, and only then the lesson (the debrief holds the last one)."""
    def check(text, choice) -> None:
        expect(page.locator("[aria-live] .you-said")).to_contain_text(f"You: {text}")
        if page.locator("#play .debrief").count():
            return
        expect(page.locator("#play .feedback")).to_contain_text(choice.feedback)
        assert page.evaluate(CONSEQUENCE_FIRST)
        expect(page.locator("#play .feedback.good, #play .feedback.poor")).to_have_count(0)
    return check


def options_at(page: Page) -> set[str]:
    return set(page.locator("#play fieldset button").all_inner_texts())


def test_new_hire_plays_onboarding_retries_and_resumes_in_a_new_browser(journey, server,
                                                                         library):
    scenario = library.scenarios[library.modules["onboarding"].scenarios[0]]
    _, _, mixed = best_worst_mixed(scenario)
    server.assign("onboarding", ["ann"], in_days(7))
    page = journey.open("ann")
    card = page.locator(".module", has_text=library.modules["onboarding"].title)
    expect(card).to_contain_text(f"due {in_days(7).isoformat()}")
    journey.look(page, "my-training")

    card.get_by_role("button", name=f"Start: {scenario.title}").click()
    wait_for_step(page, 0)
    journey.look(page, "first-decision")
    first = attempt_id_of(page)
    with no_page_loads(page):
        play(page, scenario, mixed[:1], feedback_check(page))
        journey.look(page, "after-first-choice")
        play(page, scenario, mixed, feedback_check(page))
    debrief = page.locator("#play .debrief")
    expect(debrief.locator("figure.chart svg")).to_have_count(1)
    expect(debrief.locator(".score .percent")).to_have_text(f"{score(scenario, mixed).percent}%")
    expect(debrief.locator(".all-decisions .decision")).to_have_count(len(mixed))
    journey.look(page, "debrief")

    again = "Try again" if server.attempt(first).passed is False else "Play it again"
    page.get_by_role("button", name=again).click()  # sent by htmx: no page load
    expect(page.locator("#play .debrief")).to_have_count(0)
    wait_for_step(page, 0)
    retry = attempt_id_of(page)
    assert retry != first
    with no_page_loads(page):
        play(page, scenario, mixed[:2], feedback_check(page))
    journey.look(page, "retry-two-choices")
    page.context.close()  # the browser is gone mid-scenario

    page = journey.open("ann")
    page.get_by_role("link", name=f"Continue: {scenario.title}").click()
    wait_for_step(page, 2)
    assert attempt_id_of(page) == retry
    state = replay(scenario, mixed[:2])[-1]
    assert options_at(page) == {c.text for c in available_choices(scenario, state)}
    journey.look(page, "resumed")
    journey.assert_clean()


def test_new_hire_plays_to_the_end_with_javascript_off(journey, server, library):
    scenario = library.scenarios["rigid-provider"]
    _, worst, _ = best_worst_mixed(scenario)
    page = journey.open("ann", javascript=False)
    page.get_by_role("link", name="Scenarios", exact=True).click()
    page.get_by_role("link", name=scenario.title).click()
    page.get_by_role("button", name="Start").click()
    wait_for_step(page, 0)
    journey.look(page, "first-decision")
    play(page, scenario, worst, feedback_check(page))
    expect(page.locator("#play .debrief figure.chart svg")).to_have_count(1)
    expect(page.locator(".ending-bad, .ending-mixed")).to_have_count(1)
    journey.look(page, "debrief")
    attempt = server.attempt(attempt_id_of(page))
    assert attempt.status == "finished" and attempt.step_count == len(worst)
    journey.assert_clean()


def back_to_the_server(page: Page) -> None:
    """Press back, and wait for the page the server sends (no snapshot, no cached page)."""
    page.evaluate("() => { window.sameDocument = true; }")
    page.go_back()
    page.wait_for_function("() => window.sameDocument === undefined")
    page.wait_for_load_state()


def test_back_and_refresh_show_the_servers_state_and_a_stale_choice_records_nothing(
        journey, server, library):
    scenario = library.scenarios["broken-guitar"]
    path = best_path(scenario)
    page = journey.open("ann")
    page.goto(f"{server.url}/scenarios/{scenario.id}")
    page.get_by_role("button", name="Start").click()
    wait_for_step(page, 0)
    attempt = attempt_id_of(page)
    play(page, scenario, path[:2])
    last = option_text(scenario, *path[1])

    page.reload()
    wait_for_step(page, 2)
    expect(page.locator(".you-said")).to_contain_text(last)
    journey.look(page, "refreshed")

    # htmx keeps no history snapshot: each step back loads the page from the server again,
    # which shows where the attempt is now (decision 3), never an older decision.
    for _ in range(3):  # the two swapped decisions and the first, then the scenario's page
        back_to_the_server(page)
        if page.url.endswith(f"/scenarios/{scenario.id}"):
            break
        wait_for_step(page, 2)
        expect(page.locator(".you-said")).to_contain_text(last)
    journey.look(page, "back")
    expect(page.get_by_role("link", name="Continue where you stopped")).to_be_visible()
    page.get_by_role("link", name="Continue where you stopped").click()
    wait_for_step(page, 2)

    stale = page.context.new_page()  # a second tab, left on decision 3
    journey.watch(stale)
    stale.goto(page.url)
    wait_for_step(stale, 2)
    choose(page, option_text(scenario, *path[2]))
    other = next(c.text for c in scenario.nodes[path[2][0]].choices if c.id != path[2][1])
    stale.get_by_role("button", name=other, exact=True).click()
    wait_for_step(stale, 3)
    expect(stale.locator("[aria-live]")).to_contain_text(STALE)
    journey.look(stale, "stale-choice-answered")
    assert server.steps(attempt) == [(index, choice) for index, (_, choice)
                                     in enumerate(path[:3])]
    journey.assert_clean()


def test_a_double_click_on_a_choice_records_one_step(journey, server, library):
    for scenario_id, javascript in (("rude-receptionist", True), ("rigid-provider", False)):
        scenario = library.scenarios[scenario_id]
        page = journey.open("ann", javascript=javascript)
        posts = []
        page.on("request", lambda r, posts=posts: r.method == "POST" and "/choices" in r.url
                and posts.append(r.url))
        page.goto(f"{server.url}/scenarios/{scenario_id}")
        page.get_by_role("button", name="Start").click()
        wait_for_step(page, 0)
        page.get_by_role("button", name=option_text(scenario, *best_path(scenario)[0]),
                         exact=True).dblclick()
        wait_for_step(page, 1)
        page.wait_for_timeout(300)  # time for a second request to arrive, if one was sent
        journey.look(page, f"double-clicked-js-{'on' if javascript else 'off'}")
        assert len(server.steps(attempt_id_of(page))) == 1
        if javascript:
            assert len(posts) == 1, "htmx disables the options while the choice is sent"
    journey.assert_clean()


def matrix_cell(page: Page, person: str, module_title: str):
    headers = page.locator("table.matrix thead th").all_inner_texts()
    row = page.locator("table.matrix tbody tr", has=page.get_by_role("link", name=person))
    return row.locator("td").nth(headers.index(module_title) - 1)


def test_a_new_hire_fails_then_passes_and_is_led_to_the_next_scenario(journey, server,
                                                                       library):
    """Played badly, the debrief says "Not passed" and leads with "Try again"; played well,
    "Passed" and the module's next scenario; at the end, back to My training."""
    module = library.modules["onboarding"]
    first, second = (library.scenarios[sid] for sid in module.scenarios[:2])
    _, worst, _ = best_worst_mixed(first)
    server.assign("onboarding", ["ann"], in_days(7))
    page = journey.open("ann")
    page.locator(".module", has_text=module.title).get_by_role(
        "button", name=f"Start: {first.title}").click()
    wait_for_step(page, 0)
    play(page, first, worst)
    verdict = page.locator("#play .verdict")
    expect(verdict.get_by_role("heading", level=2)).to_have_text("Not passed")
    expect(verdict).to_contain_text(f"{score(first, worst).percent}% against a pass mark of "
                                    f"{library.pass_mark(first.id)}%")
    expect(verdict).to_contain_text("ended badly")
    expect(verdict.locator(".primary")).to_have_text("Try again")
    journey.look(page, "not-passed")

    verdict.get_by_role("button", name="Try again").click()
    wait_for_step(page, 0)
    play(page, first, best_path(first))
    expect(verdict.get_by_role("heading", level=2)).to_have_text("Passed")
    expect(verdict).to_contain_text("100% against a pass mark")
    next_step = f"Next in {module.title}: {second.title}"
    expect(verdict.locator(".primary")).to_have_text(next_step)
    expect(verdict.get_by_role("link", name="Back to My training")).to_be_visible()
    journey.look(page, "passed-next-step")

    verdict.get_by_role("button", name=next_step).click()
    wait_for_step(page, 0)
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My training").click()
    card = page.locator(".module", has_text=module.title)
    expect(card).to_contain_text("1 of 3 scenarios passed")
    expect(card.locator(".primary")).to_have_text(f"Continue: {second.title}")
    page.get_by_role("link", name=first.title).click()
    past = page.locator("table", has=page.locator("caption", has_text="finished attempts"))
    expect(past.locator("tbody tr")).to_have_count(2)
    expect(past).to_contain_text("not passed")
    journey.look(page, "scenario-with-past-attempts")
    past.get_by_role("link").first.click()
    expect(page.locator("#play .verdict h2")).to_have_text("Passed")
    journey.assert_clean()


def test_manager_assigns_a_module_to_the_team_and_sees_it_completed(journey, server, library):
    module, due = library.modules["rules-in-the-way"], in_days(14)
    boss = journey.open("mia")
    boss.get_by_role("link", name="Teams", exact=True).click()
    boss.get_by_role("link", name="Showroom").click()
    journey.look(boss, "team")
    form = boss.locator("form.assign")
    form.get_by_label("Module", exact=True).select_option(label=module.title)
    form.get_by_label("Assign to").select_option(label="The whole team: Showroom")
    form.get_by_label("Due date", exact=True).fill(due.isoformat())
    form.get_by_role("button", name="Assign").click()
    expect(boss.locator(".flash")).to_contain_text(f"{module.title}: assigned to 2 new")
    expect(matrix_cell(boss, "Ann Employee", module.title)).to_contain_text("not started")
    journey.look(boss, "assigned")

    ann = journey.open("ann")
    card = ann.locator(".module", has_text=module.title)
    expect(card).to_contain_text(f"due {due.isoformat()}")
    journey.look(ann, "my-training-assigned")
    for scenario_id in module.scenarios:
        scenario = library.scenarios[scenario_id]
        card.locator(".primary").click()  # "Start: ..." for each in turn
        wait_for_step(ann, 0)
        play(ann, scenario, best_path(scenario))
        expect(ann.locator(".score .percent")).to_have_text("100%")
        ann.get_by_role("navigation", name="Main").get_by_role("link", name="My training").click()
    expect(card.locator(".status")).to_have_text("Completed")
    journey.look(ann, "my-training-completed")

    boss.reload()
    expect(matrix_cell(boss, "Ann Employee", module.title)).to_contain_text("completed")
    journey.look(boss, "team-completed")
    journey.assert_clean()


def download_csv(page: Page, caption: str) -> list[list[str]]:
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    with page.expect_download() as download:
        table.get_by_role("link", name=re.compile("^Download CSV")).click()
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_hr_filters_the_completion_report_and_downloads_its_csv(journey, server, library):
    server.assign("onboarding", ["ann", "mia"], in_days(7))
    server.assign("first-contact", ["bob", "max"], in_days(-3))  # overdue
    server.assign("things-go-wrong", ["cat"], in_days(10))
    for scenario_id in library.modules["onboarding"].scenarios:
        server.play("ann", scenario_id)
    server.play("mia", "rude-receptionist", choices=2)

    hr = journey.open("hugo")
    hr.get_by_role("link", name="Reports").click()
    charts = hr.locator("figure.chart svg")
    expect(charts).to_have_count(3)  # per department, per month, score bands
    expect(charts.first.locator("rect.plus")).to_have_count(2)  # Sales and Support
    expect(charts.last.locator("rect.plus")).to_have_count(10)  # ten score bands
    journey.look(hr, "reports")

    hr.get_by_label("Department", exact=True).select_option(label="Sales")
    hr.get_by_label("Module", exact=True).select_option(label=library.modules["onboarding"].title)
    hr.get_by_role("button", name="Apply").click()
    expect(hr).to_have_url(re.compile(r"department=\d+.*module=onboarding"))
    expect(charts).to_have_count(3)
    journey.look(hr, "filtered-sales-onboarding")
    assert download_csv(hr, "By team") == [
        ["department", "team", "assigned", "completed", "in progress", "not started",
         "overdue", "completed %"],
        ["Sales", "Showroom", "2", "1", "1", "0", "0", "50"]]

    hr.get_by_role("link", name="Clear").click()
    hr.get_by_label("Team", exact=True).select_option(label="Sales / Key accounts")
    hr.get_by_role("button", name="Apply").click()
    journey.look(hr, "filtered-key-accounts")
    due = in_days(-3).isoformat()
    module = library.modules["first-contact"].title
    assert download_csv(hr, "overdue") == [
        ["Name", "Email", "Department", "Team", "Module", "Due", "Days late"],
        ["Bob Employee", "bob@example.com", "Sales", "Key accounts", module, due, "3"],
        ["Max Manager", "max@example.com", "Sales", "Key accounts", module, due, "3"]]
    journey.assert_clean()


def tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element is the one named `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText.trim()") == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


PHONE = {"width": 390, "height": 700}
FOCUS_IN_PLAY = "() => document.activeElement.closest('#play') !== null"


def test_keyboard_only_player_finishes_a_scenario_with_focus_on_new_content(journey, library):
    scenario = library.scenarios["rigid-provider"]
    page = journey.open("ann", viewport=PHONE)
    for name in ("Scenarios", scenario.title, "Start"):
        tab_to(page, name)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    wait_for_step(page, 0)
    journey.look(page, "first-decision")
    page.evaluate("() => { document.querySelector('[aria-live]').keptAcrossSwaps = true; }")
    for step, (node_id, choice_id) in enumerate(best_path(scenario)):
        choice = scenario.nodes[node_id].choice(choice_id)
        tab_to(page, choice.text)
        page.keyboard.press("Enter")
        wait_for_step(page, step + 1)
        page.wait_for_function(FOCUS_IN_PLAY, timeout=2_000)  # htmx focuses [autofocus]
        # The choice is announced by a live region that stayed on the page; reading on
        # from the focused heading gives the customer's answer, then the lesson.
        assert page.evaluate("() => document.querySelector('.you-said')"
                             ".closest('[aria-live]').keptAcrossSwaps === true")
        expect(page.locator("[aria-live] .you-said")).to_contain_text(choice.text)
        if page.locator("#play .debrief").count() == 0:
            expect(page.locator("#play .feedback")).to_contain_text(choice.feedback)
        if step == 0:
            journey.look(page, "after-first-choice")
    expect(page.locator("#play .debrief")).to_be_visible()
    journey.look(page, "debrief")
    tab_to(page, "Back to My training")  # the debrief's own controls are reached from there
    journey.assert_clean()


def test_axe_finds_no_serious_violation_on_any_page_of_any_role(journey, server, library):
    if axe_source() is None:
        missing(AXE_MISSING)
    server.assign("onboarding", ["ann", "mia"], in_days(7))
    server.assign("first-contact", ["bob"], in_days(-3))
    finished = server.play("ann", "rude-receptionist")
    server.play("ann", "smile-on-the-phone", choices=2)  # onboarding, unfinished
    url = server.url
    pages = {
        "ann": ["/", "/scenarios", "/scenarios/rude-receptionist",
                "/scenarios/smile-on-the-phone", f"/attempts/{finished}", "/account/password",
                "/attempts/999999"],
        "mia": ["/manage/", f"/manage/teams/{server.org.teams['x']}",
                f"/manage/people/{server.org.ids['ann']}",
                f"/manage/people/{server.org.ids['ann']}/attempts/{finished}",
                f"/manage/teams/{server.org.teams['x']}/choices?scenario=rude-receptionist"],
        "hugo": ["/reports/", "/admin/import"],
        "ada": ["/admin/users", f"/admin/users/{server.org.ids['ann']}"],
    }
    page = journey.open()
    page.goto(url + "/login")
    journey.look(page, "login")
    # axe is really looking: an input planted without a label is a critical violation.
    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<input id=planted>')")
    assert {"label": "critical"}.items() <= {v["id"]: v["impact"]
                                           for v in page.evaluate(AXE_RUN)}.items()
    page.reload()
    page.get_by_label("Work email").fill("ann@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error")).to_be_visible()
    journey.look(page, "login-refused")
    page.context.close()
    for who, paths in pages.items():
        page = journey.open(who)
        for path in paths:
            page.goto(url + path)
            journey.look(page, f"{who}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-') or 'home'}")
        page.context.close()
    page = journey.open("ann")  # a play page in the middle, with feedback shown
    page.get_by_role("link", name=f"Continue: {library.scenarios['smile-on-the-phone'].title}"
                     ).click()
    wait_for_step(page, 2)
    journey.look(page, "ann-play-with-feedback")
    journey.assert_clean()


def test_after_sign_out_the_back_button_shows_no_private_page(journey, server, library):
    scenario = library.scenarios["rude-receptionist"]
    page = journey.open("ann")
    page.goto(f"{server.url}/scenarios/{scenario.id}")
    page.get_by_role("button", name="Start").click()
    wait_for_step(page, 0)
    play(page, scenario, best_path(scenario)[:2])
    private = page.locator(".situation").inner_text()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    journey.look(page, "signed-out")
    expect(page.locator(".flash")).to_contain_text("You are signed out.")
    for back in range(5):  # two swapped decisions, the first, the scenario, My training
        page.go_back()
        # The browser asked the server again for the private page, and was sent to sign in.
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
        body = page.locator("body")
        expect(body).not_to_contain_text("Ann Employee")
        expect(body).not_to_contain_text(private)
        journey.look(page, f"back-{back + 1}")
    assert page.evaluate("() => localStorage.getItem('htmx-history-cache')") is None
    journey.assert_clean()


def test_a_learner_completes_a_module_and_anyone_can_check_the_certificate(journey, server,
                                                                          library):
    module = library.modules["onboarding"]
    server.assign(module.id, ["ann"], in_days(7))
    *first, last = module.scenarios
    for scenario_id in first:
        server.play("ann", scenario_id)
    ann = journey.open("ann")
    ann.locator(".module", has_text=module.title).locator(".primary").click()
    wait_for_step(ann, 0)
    scenario = library.scenarios[last]
    play(ann, scenario, best_path(scenario))
    done = ann.locator(".module-done")
    expect(done).to_contain_text(f"{module.title}: complete.")
    journey.look(ann, "debrief-module-complete")

    done.get_by_role("link", name="Open your certificate").click()
    certificate = ann.locator("article.certificate")
    expect(certificate).to_contain_text("Ann Employee")
    expect(certificate).to_contain_text(module.title)
    expect(certificate.locator("tbody tr")).to_have_count(len(module.scenarios))
    journey.look(ann, "certificate")
    ann.emulate_media(media="print")  # on paper: the certificate alone
    expect(ann.locator("header.site")).to_be_hidden()
    expect(ann.locator("footer.site")).to_be_hidden()
    expect(certificate).to_be_visible()
    ann.screenshot(path=str(journey.folder / "certificate-printed.png"), full_page=True)
    ann.emulate_media(media="screen")

    check = certificate.locator(".check a").get_attribute("href")
    assert check.startswith(server.url + "/verify/")
    stranger = journey.open()  # signed in as nobody
    stranger.goto(check)
    expect(stranger.locator(".verified")).to_contain_text("Genuine.")
    expect(stranger.locator(".verified")).to_contain_text("Ann Employee")
    expect(stranger.locator("main")).not_to_contain_text("ann@example.com")
    expect(stranger.locator("main")).not_to_contain_text("%")
    journey.look(stranger, "certificate-check")
    stranger.goto(check[:-4] + "abcd")
    expect(stranger.locator("main")).to_contain_text("There is no certificate at this address")
    journey.assert_clean()


def test_a_yearly_module_comes_due_again_and_is_renewed(journey, server, library):
    from datetime import timedelta

    from trainer.extensions import db
    from trainer.models import Assignment

    module = library.modules["things-go-wrong"]
    assert module.renew_after_months == 12
    server.assign(module.id, ["ann"], in_days(14))
    for scenario_id in module.scenarios:
        server.play("ann", scenario_id)
    with server.data():
        runs_out = db.session.query(Assignment).filter_by(module_id=module.id).one().renew_on
    server.app.config["TODAY"] = runs_out - timedelta(days=30)  # the renewal opens

    ann = journey.open("ann")
    card = ann.locator(".module", has_text=module.title)
    expect(card.locator(".status")).to_have_text("Renewal due")
    expect(card).to_contain_text(f"due {runs_out.isoformat()}")
    expect(card).to_contain_text(f"0 of {len(module.scenarios)} scenarios passed")
    certificates = ann.locator("h2:text('Your certificates') + ul > li")
    expect(certificates).to_have_count(1)  # the earlier completion stays
    journey.look(ann, "renewal-due")
    boss = journey.open("mia")
    boss.goto(f"{server.url}/manage/teams/{server.org.teams['x']}")
    expect(matrix_cell(boss, "Ann Employee", module.title)).to_contain_text("renewal due")
    expect(matrix_cell(boss, "Ann Employee", module.title)).to_contain_text(
        f"0/{len(module.scenarios)} passed")  # the renewal's own round
    journey.look(boss, "team-renewal-due")

    first, *rest = module.scenarios
    card.locator(".primary").click()
    wait_for_step(ann, 0)
    play(ann, library.scenarios[first], best_path(library.scenarios[first]))
    for scenario_id in rest:
        server.play("ann", scenario_id)
    ann.get_by_role("navigation", name="Main").get_by_role("link", name="My training").click()
    expect(card.locator(".status")).to_have_text("Completed")
    expect(certificates).to_have_count(2)
    journey.look(ann, "renewed")
    journey.assert_clean()


def test_hr_reads_the_months_follows_a_row_and_the_manager_sorts_and_exports(journey, server,
                                                                            library):
    onboarding = library.modules["onboarding"]
    server.assign(onboarding.id, ["ann", "mia"], in_days(7))
    for scenario_id in onboarding.scenarios:
        server.play("ann", scenario_id)
    hr = journey.open("hugo")
    hr.get_by_role("link", name="Reports").click()
    months = hr.locator("table", has=hr.locator("caption", has_text="Per month"))
    expect(months.locator("tbody tr")).to_have_count(12)
    this_month = months.locator("tbody tr").last
    expect(this_month.locator("td").first).to_have_text("1")  # Ann's completion
    certified = hr.locator("table", has=hr.locator("caption", has_text="People certified"))
    expect(certified.locator("tr", has_text=onboarding.title).locator("td")).to_have_text("1")
    journey.look(hr, "reports-over-time")
    assert download_csv(hr, "Per month")[-1][:3] == [this_month.locator("th").inner_text(),
                                                     "1", "1"]

    by_team = hr.locator("table", has=hr.locator("caption", has_text="By team"))
    by_team.get_by_role("link", name="Showroom").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Showroom")
    hr.get_by_role("link", name=f"status in {onboarding.title}").click()
    rows = hr.locator("table.matrix tbody tr th")
    expect(rows).to_have_text(["Mia Manager", "Ann Employee"])  # not started before completed
    journey.look(hr, "matrix-by-status")
    with hr.expect_download() as download:
        hr.get_by_role("link", name=re.compile("^Download CSV")).first.click()
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        table = list(csv.reader(file))
    assert [row[0] for row in table[1:]] == ["Mia Manager", "Ann Employee"]
    assert table[0][:3] == ["Person", "Email", f"{onboarding.title}: status"]
    assert table[2][2] == "completed"
    journey.assert_clean()


def test_an_author_fixes_previews_publishes_reads_the_map_and_rolls_back(journey, server,
                                                                        library, tmp_path):
    from probes import database_rows

    scenario = library.scenarios["rude-receptionist"]
    broken = scenario.source.replace("weights: {", "weights: {no-such-principle: 2, ", 1)
    bad_line = broken[:broken.index("no-such-principle")].count("\n") + 1
    upload = tmp_path / "rude-receptionist.md"
    upload.write_text(broken, "utf-8")

    author = journey.open("abe")
    author.get_by_role("navigation", name="Main").get_by_role("link", name="Authoring").click()
    author.get_by_label("Scenario file (.md)").set_input_files(str(upload))
    author.get_by_role("button", name="Check and save as a draft").click()
    problems = author.locator(".problems")
    expect(problems).to_contain_text(f"Line {bad_line}:")
    expect(problems).to_contain_text("no-such-principle")
    expect(author.get_by_role("button", name="Publish to learners")).to_have_count(0)
    journey.look(author, "draft-with-a-problem")

    fixed = scenario.source.replace("It is twenty to one", "It is a quarter to one", 1)
    author.get_by_label("The scenario's text").fill(fixed)
    author.get_by_role("button", name="Check and save").click()
    expect(author.locator(".ok-box")).to_contain_text("No problem found: it can be previewed")
    expect(author.locator(".diff-add").first).to_contain_text("a quarter to one")
    draft_url = author.url
    journey.look(author, "draft-fixed")

    before = database_rows(server.app)
    author.get_by_role("link", name="Preview it").click()
    expect(author.locator(".preview-banner")).to_be_visible()
    expect(author.locator("main")).to_contain_text("It is a quarter to one")
    for _, choice_id in best_path(scenario):
        author.get_by_role("button", name=re.compile(f"^{choice_id}: ")).click()
        expect(author.locator(".last-choice")).to_be_visible()
    expect(author.locator("#situation-title")).to_contain_text("ending")
    journey.look(author, "preview-at-the-end")
    assert database_rows(server.app) == before, "the preview recorded something"

    author.goto(draft_url)
    author.get_by_role("button", name="Publish to learners").click()
    expect(author.locator(".flash")).to_contain_text("Published")
    journey.look(author, "published")

    ann = journey.open("ann")
    ann.goto(f"{server.url}/scenarios/rude-receptionist")
    ann.get_by_role("button", name="Start").click()
    expect(ann.locator("main")).to_contain_text("It is a quarter to one")
    play(ann, scenario, best_path(scenario))
    expect(ann.locator(".score .percent")).to_have_text("100%")

    author.get_by_role("link", name="Map, with what learners did").click()
    expect(author.locator("main")).to_contain_text("1 attempt on this version")
    first = scenario.start
    box = author.locator("svg a.box", has=author.locator("text.id", has_text=first)).first
    expect(box.locator("text.count")).to_have_text("1 reached")
    box.click()
    expect(author.locator("#situation h2")).to_have_text(f"Situation {first}")
    expect(author.locator("#situation")).to_contain_text(f"line {scenario.nodes[first].line}")
    journey.look(author, "map-with-traffic")

    author.locator(".crumbs").get_by_role("link", name=scenario.title).click()
    # Nobody played the file's version before, so it is offered on its own.
    author.get_by_role("button", name="Roll back to the file rude-receptionist.md").click()
    expect(author.locator(".flash")).to_contain_text("Rolled back")
    journey.look(author, "rolled-back")
    with server.data():
        from trainer.store import content

        assert "It is twenty to one" in content.current("rude-receptionist").source
    journey.assert_clean()
