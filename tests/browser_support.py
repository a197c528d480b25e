"""What the browser journeys share: a live server, watched pages, screenshots, axe-core.

Every page a journey opens is watched: console errors (a Content-Security-Policy violation is
one) are collected, each `look` saves a screenshot to test-artifacts/journeys/ and runs axe-core,
and `Journey.assert_clean` fails on any of them at the end.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import PASSWORD, ROOT, TODAY, Org, make_app, make_org
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from trainer.engine import best_path
from trainer.extensions import db
from trainer.models import Attempt, Step, User
from trainer.store import assignments, content, progress

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright cannot download its own browser here
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts" / "journeys"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# axe-core comes from npm: .ci/run installs it here; TRAINER_AXE_JS may name another copy.
AXE_INSTALLED = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = "npm install --no-save --prefix .cache/axe axe-core@4"
SERIOUS = ("serious", "critical")
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.map(n => n.target.join(" "))}));
}"""


def missing(reason: str):
    """A tool the journeys need is not installed: a failure in CI, a skip on a laptop."""
    if IN_CI:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        missing(f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium); "
                ".ci/run installs it")
    return CHROMIUM


def axe_source() -> str | None:
    """axe.min.js from $TRAINER_AXE_JS or the npm install .ci/run makes; None if neither."""
    path = Path(os.environ.get("TRAINER_AXE_JS") or AXE_INSTALLED)
    return path.read_text(encoding="utf-8") if path.is_file() else None


AXE_MISSING = (f"axe-core is not installed: run `{AXE_INSTALL}` in the project folder "
               "(.ci/run does), or set TRAINER_AXE_JS to an axe.min.js")


@dataclass
class LiveServer:
    """The app served over real HTTP from a thread, on its own fresh database."""

    app: Flask
    url: str
    org: Org

    @contextmanager
    def data(self) -> Iterator[None]:
        """An app context for looking into the database or preparing data."""
        with self.app.app_context():
            yield

    def person(self, short: str) -> User:
        return db.session.get(User, self.org.ids[short])

    def attempt(self, attempt_id: int) -> Attempt:
        with self.data():
            found = db.session.get(Attempt, attempt_id)
            db.session.expunge(found)
            return found

    def steps(self, attempt_id: int) -> list[tuple[int, str]]:
        """The stored steps of an attempt as (index, choice id)."""
        with self.data():
            return [(index, choice) for index, choice in db.session.execute(
                select(Step.index, Step.choice_id).where(Step.attempt_id == attempt_id)
                .order_by(Step.index))]

    def assign(self, module_id: str, shorts: list[str], due: date) -> None:
        with self.data():
            assignments.assign(content.module(module_id), [self.person(s) for s in shorts],
                               due, None)
            db.session.commit()

    def play(self, short: str, scenario_id: str, choices: int | None = None) -> int:
        """Play the best path for someone without a browser (all of it, or `choices` steps)."""
        with self.data():
            scenario = content.current(scenario_id)
            attempt = progress.start_attempt(self.person(short), scenario)
            for index, (_, choice_id) in enumerate(best_path(scenario)[:choices]):
                progress.record_choice(attempt, index, choice_id)
            return attempt.id


@contextmanager
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """make_app with CSRF on, make_org's people, served from a thread on a free port."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    org = make_org(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", org)
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


class Journey:
    """One test's browsers: every page is watched, and each `look` is screenshotted and
    checked with axe-core."""

    def __init__(self, name: str, server: LiveServer, new_context: Callable, axe: str | None):
        self.server, self._new_context, self._axe = server, new_context, axe
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.looks = 0
        self.console_errors: list[str] = []
        self.axe_findings: dict[str, list[dict]] = {}  # screenshot name -> violations
        self._no_js: set[int] = set()

    def open(self, who: str | None = None, *, javascript: bool = True, **options) -> Page:
        """A new browser (a fresh context: no cookies), signed in as `who` if given."""
        context = self._new_context(java_script_enabled=javascript, **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        if not javascript:
            self._no_js.add(id(page))
        self.watch(page)
        if who:
            self.sign_in(page, who)
        return page

    def watch(self, page: Page) -> None:
        def on_console(message) -> None:
            # A page the server answers with an error status (a 404 the journey asks for) is
            # logged as a failed load; the page itself is checked like any other.
            own_status = message.text.startswith("Failed to load resource") \
                and message.location.get("url") == page.url
            if message.type == "error" and not own_status:
                self.console_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: {error}"))

    def sign_in(self, page: Page, who: str) -> None:
        page.goto(self.server.url + "/login")
        page.get_by_label("Work email").fill(f"{who}@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1, name="My training")).to_be_visible()

    def look(self, page: Page, label: str) -> None:
        """Screenshot the page and check it with axe-core (pages with scripts on)."""
        self.looks += 1
        name = f"{self.looks:02d}-{label}"
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        if self._axe is None or id(page) in self._no_js:
            return  # axe needs scripts; the JS-off pages are the same templates
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern:
            # the journeys keep the real policy and still get axe into the page.
            page.evaluate(self._axe)
        self.axe_findings[name] = page.evaluate(AXE_RUN)

    def assert_clean(self) -> None:
        """No CSP violation, no other console error, nothing serious for axe on any look."""
        (self.folder / "axe.json").write_text(json.dumps(self.axe_findings, indent=1))
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert not csp, "The Content-Security-Policy was violated:\n" + "\n".join(csp)
        assert not self.console_errors, "Console errors:\n" + "\n".join(self.console_errors)
        serious = [f"{name}: {v['impact']} {v['id']} ({v['help']}) at {v['targets'][:3]}"
                   for name, found in self.axe_findings.items() for v in found
                   if v["impact"] in SERIOUS]
        assert not serious, "axe-core found serious or critical violations:\n" + \
            "\n".join(serious)


@contextmanager
def no_page_loads(page: Page) -> Iterator[None]:
    """Assert that what happens inside swaps content with htmx: no document is loaded."""
    loads: list[str] = []

    def on_request(request) -> None:
        if request.is_navigation_request():
            loads.append(request.url)

    page.on("request", on_request)
    page.evaluate("() => { window.sameDocument = true; }")
    yield
    page.remove_listener("request", on_request)
    assert loads == [], f"full page loads: {loads}"
    assert page.evaluate("() => window.sameDocument === true"), "the document was replaced"


def step_of(page: Page) -> int:
    """Which decision the play page shows (0 for the first)."""
    return int(page.locator("#play input[name=step]").input_value())


def attempt_id_of(page: Page) -> int:
    found = re.search(r"/attempts/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def wait_for_step(page: Page, step: int) -> None:
    """Wait until the play region shows decision `step`, or the debrief."""
    expect(page.locator(f"#play input[name=step][value='{step}'], #play .debrief")) \
        .to_have_count(1)


def option_text(scenario, node_id: str, choice_id: str) -> str:
    return scenario.nodes[node_id].choice(choice_id).text


def choose(page: Page, text: str) -> None:
    """Click an option and wait for the server's answer (a swap, or a page with JS off)."""
    step = step_of(page)
    page.get_by_role("button", name=text, exact=True).click()
    wait_for_step(page, step + 1)


def play(page: Page, scenario, path, after_each: Callable | None = None) -> None:
    """Play `path` (node id, choice id) pairs from the page's current decision."""
    for node_id, choice_id in path[step_of(page):]:
        text = option_text(scenario, node_id, choice_id)
        choose(page, text)
        if after_each:
            after_each(text, scenario.nodes[node_id].choice(choice_id))


def in_days(days: int) -> date:
    return TODAY + timedelta(days=days)
