"""Playing in a real browser (Debian's Chromium through Playwright): with htmx and without JS."""
import shutil
import threading
from pathlib import Path

import pytest
from conftest import PASSWORD, ROOT, make_app, make_org
from engine_paths import best_worst_mixed
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian's Chromium is not installed (apt-get install chromium); "
                              ".ci/run installs it"),
]


@pytest.fixture
def live_server(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    make_org(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def identify(page, base: str) -> None:
    page.goto(base + "/scenarios")
    page.fill("input[name=email]", "ann@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/scenarios")


def play_path(page, scenario, path, shots: str | None = None) -> None:
    for index, (node_id, choice_id) in enumerate(path):
        text = scenario.nodes[node_id].choice(choice_id).text
        page.get_by_role("button", name=text, exact=True).click()
        page.wait_for_selector(f"text=Decision {index + 2}" if index + 1 < len(path)
                               else "text=debrief")
        assert page.locator(".feedback").count() == 1
        if shots and index == 0:
            page.screenshot(path=str(ARTIFACTS / f"{shots}-after-first-choice.png"),
                            full_page=True)


def test_play_to_the_end_with_htmx_swaps_and_no_page_loads(browser, live_server, library):
    ARTIFACTS.mkdir(exist_ok=True)
    scenario = library.scenarios["rude-receptionist"]
    best, _, _ = best_worst_mixed(scenario)
    page = browser.new_page()
    identify(page, live_server)
    page.screenshot(path=str(ARTIFACTS / "scenario-list.png"), full_page=True)
    page.click(f"text={scenario.title}")
    page.click("button:has-text('Start')")
    page.wait_for_selector("text=What do you do?")
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    page.evaluate("window.playMarker = 'still here'")
    play_path(page, scenario, best, shots="htmx")
    assert loads == []
    assert page.evaluate("window.playMarker") == "still here"
    assert page.locator(".debrief svg").count() == 1
    assert page.locator(".score .percent").inner_text() == "100%"
    attempt_url = page.url
    assert "/attempts/" in attempt_url
    page.screenshot(path=str(ARTIFACTS / "debrief.png"), full_page=True)
    # Refresh shows the server's state: the same debrief.
    page.reload()
    assert page.locator(".score .percent").inner_text() == "100%"
    page.close()


def test_play_to_the_end_with_javascript_off(browser, live_server, library):
    scenario = library.scenarios["rigid-provider"]
    _, worst, _ = best_worst_mixed(scenario)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    identify(page, live_server)
    page.click(f"text={scenario.title}")
    page.click("button:has-text('Start')")
    play_path(page, scenario, worst)
    assert page.locator(".debrief svg").count() == 1
    assert page.locator(".ending-bad, .ending-mixed").count() == 1
    context.close()
