"""Every page of every role at a phone's, a tablet's and a laptop's width, in Chromium: none
scrolls sideways (a screenshot of each is kept), and every page's HTML, as the server sends it,
passes the W3C Nu HTML checker."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_support import (
    LAUNCH_ARGS,
    chromium_path,
    in_days,
    live_server,
    missing,
)
from conftest import PASSWORD, ROOT

from trainer.store import authoring, branding, completions, content

pytestmark = pytest.mark.slow
WIDTHS = (360, 768, 1280)
ARTIFACTS = ROOT / "test-artifacts" / "widths"
VNU_INSTALLED = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_INSTALL = "npm install --no-save --prefix .cache/vnu vnu-jar (it needs Java)"
# The widest element that sticks out on the right, for the failure message.
LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 60"><rect width="1000" '
        b'height="60" rx="6" fill="#0b5a3a"/><circle cx="30" cy="30" r="20" fill="#ffffff"/>'
        b'</svg>')  # a wide logo: the header must hold it at every width
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    let clipped = false;  // inside a region that scrolls on its own
    for (let up = el.parentElement; up; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (['auto', 'scroll', 'hidden'].includes(overflow)) { clipped = true; break; }
    }
    if (clipped) continue;
    const right = el.getBoundingClientRect().right;
    if (right > width + 1 && (!worst || right > worst.right)) {
      worst = {right: Math.round(right), tag: el.tagName.toLowerCase(),
               cls: el.className && el.className.baseVal === undefined ? el.className : '',
               text: (el.innerText || '').slice(0, 60)};
    }
  }
  return {width, scroll, worst};
}"""


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {"executable_path": chromium_path(), "args": LAUNCH_ARGS}


@pytest.fixture(scope="module")
def site(tmp_path_factory, library):
    """One server with every kind of page to show: assignments (one overdue), a finished and
    an unfinished attempt, a team with results."""
    with live_server(tmp_path_factory.mktemp("layout")) as server:
        server.assign("onboarding", ["ann", "mia"], in_days(7))
        server.assign("first-contact", ["ann", "bob"], in_days(-3))
        for module_id in library.modules:  # Mia has every module: the widest team matrix
            server.assign(module_id, ["mia"], in_days(30))
        finished = server.play("ann", "rude-receptionist")
        server.play("bob", "rude-receptionist")
        opened = server.play("ann", "smile-on-the-phone", choices=2)
        for scenario_id in library.modules["onboarding"].scenarios:  # Mia completes it
            server.play("mia", scenario_id)
        with server.data():
            [certificate] = completions.of_person(server.org.ids["mia"])
            token = certificate.token
            text = content.current("rude-receptionist").source
            abe = server.person("abe")
            broken = authoring.save_draft(abe, "rude-receptionist.md", text.replace(
                "weights: {", "weights: {no-such-principle: 2, ", 1)).draft.id
            fixed = authoring.save_draft(abe, "rude-receptionist.md", text.replace(
                "It is twenty to one", "It is a quarter to one", 1)).draft.id
        with server.data():  # a long name and a logo in the header, at every width
            branding.save("Northbound Customer Care Academy", "#0b5a3a", LOGO, False)
        ids, teams = server.org.ids, server.org.teams
        pages = {
            None: ["/login", "/no-such-page", f"/verify/{token}"],
            "ann": ["/", "/scenarios", "/scenarios/rude-receptionist", f"/attempts/{opened}",
                    f"/attempts/{finished}", "/account/password",
                    "/scenarios?channel=email&difficulty=advanced",  # nothing matches
                    "/reports/"],  # not hers: the refusal page
            "mia": ["/manage/", f"/manage/teams/{teams['x']}", f"/manage/people/{ids['ann']}",
                    f"/manage/people/{ids['ann']}/attempts/{finished}",
                    f"/manage/teams/{teams['x']}/choices?scenario=rude-receptionist",
                    f"/certificates/{certificate.id}", "/"],
            "hugo": ["/reports/", "/reports/?module=onboarding"],
            "ada": ["/admin/users", f"/admin/users/{ids['ann']}", "/admin/import",
                    "/admin/branding"],
            "abe": ["/author/", f"/author/drafts/{broken}", f"/author/drafts/{fixed}",
                    f"/author/drafts/{fixed}/map", "/author/scenarios/rude-receptionist",
                    "/scenarios/rude-receptionist/map",
                    "/scenarios/rude-receptionist/map?node=ring",
                    "/author/scenarios/rude-receptionist/choices",
                    "/author/preview/scenario/rude-receptionist"],
        }
        yield server, pages


def signed_in(browser, server, who, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    if who:
        page.goto(server.url + "/login")
        page.get_by_label("Work email").fill(f"{who}@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(server.url + "/")
    return context, page


def label(who, path: str) -> str:
    return f"{who or 'anyone'}-" + ("".join(c if c.isalnum() else "-" for c in path)
                                     .strip("-") or "home")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_of_any_role_scrolls_sideways(browser, site, width):
    server, pages = site
    folder = ARTIFACTS / str(width)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    wide = []
    for who, paths in pages.items():
        context, page = signed_in(browser, server, who, width)
        for path in paths:
            page.goto(server.url + path)
            page.screenshot(path=str(folder / f"{label(who, path)}.png"), full_page=True)
            found = page.evaluate(OVERFLOW)
            if found:
                wide.append(f"{who} {path}: {found['scroll']} px wide in {found['width']}; "
                            f"widest: {found['worst']}")
        context.close()
    assert wide == [], f"pages wider than {width} px:\n" + "\n".join(wide)


def vnu_jar() -> Path | None:
    path = Path(os.environ.get("TRAINER_VNU_JAR") or VNU_INSTALLED)
    return path if path.is_file() and shutil.which("java") else None


def test_every_page_is_valid_html(browser, site, tmp_path):
    """The HTML the server sends (not the DOM after scripts), checked by the Nu checker."""
    jar = vnu_jar()
    if jar is None:
        missing(f"the Nu HTML checker is not installed: run `{VNU_INSTALL}`; .ci/run does")
    server, pages = site
    files = []
    for who, paths in pages.items():
        context, page = signed_in(browser, server, who, 1280)
        for path in paths:
            response = page.request.get(server.url + path)
            file = tmp_path / f"{label(who, path)}.html"
            file.write_text(response.text(), encoding="utf-8")
            files.append(file)
        context.close()
    result = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--errors-only",
                             *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(m['url']).name}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m.get("type") == "error"]
    assert errors == [], "The Nu HTML checker found errors:\n" + "\n".join(errors)
    assert len(files) == sum(len(paths) for paths in pages.values())


def test_the_checker_is_really_looking(tmp_path):
    """A planted error is reported: the check above cannot pass by not running."""
    jar = vnu_jar()
    if jar is None:
        missing(f"the Nu HTML checker is not installed: run `{VNU_INSTALL}`; .ci/run does")
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><title>x</title><p hx-post=/x>y</p>")
    result = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--errors-only",
                             str(bad)], capture_output=True, text=True, timeout=120)
    assert "hx-post" in result.stderr


def test_the_team_matrix_shows_every_module_at_a_laptops_width(browser, site, library):
    server, _ = site
    context, page = signed_in(browser, server, "mia", 1280)
    page.goto(f"{server.url}/manage/teams/{server.org.teams['x']}")
    matrix = page.locator(".scroll:has(table.matrix)")
    headers = matrix.locator("thead th").all_inner_texts()
    assert headers[1:] == [m.title for m in library.modules.values()]  # curriculum order
    assert matrix.evaluate("el => el.scrollWidth <= el.clientWidth"), "the matrix scrolls"
    context.close()


@pytest.mark.parametrize("width", (390, 1280))
def test_a_play_through_shows_the_scene_the_way_and_the_verdict_first(browser, site, library,
                                                                      width):
    """Screenshots of every step (test-artifacts/play/): the customer's mood changes with
    trust, the progress line counts, and the debrief's first screen holds the verdict."""
    from browser_support import choose, option_text, wait_for_step
    from engine_paths import best_worst_mixed

    server, _ = site
    scenario = library.scenarios["rude-receptionist"]
    _, worst, _ = best_worst_mixed(scenario)
    folder = ARTIFACTS.parent / "play" / str(width)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context, page = signed_in(browser, server, "cat", width)
    page.goto(f"{server.url}/scenarios/{scenario.id}")
    page.get_by_role("button", name="Start").click()
    wait_for_step(page, 0)
    moods = []
    for index, (node_id, choice_id) in enumerate(worst):
        page.screenshot(path=str(folder / f"{index:02d}-decision.png"), full_page=True)
        moods.append(page.locator("#play .customer .mood").inner_text())
        assert page.locator("#play .where .step").inner_text().startswith(
            f"Decision {index + 1} of")
        choose(page, option_text(scenario, node_id, choice_id))
    page.screenshot(path=str(folder / f"{len(worst):02d}-debrief.png"), full_page=False)
    assert moods[0] == "calm" and moods[-1] == "angry", moods
    verdict = page.locator("#play .verdict h2").bounding_box()
    assert verdict and verdict["y"] + verdict["height"] < page.viewport_size["height"]
    assert page.locator("#play .ending-face svg.mood-angry").count() == 1
    # The chart's labels stay legible: drawn at its own size, scaled down only a little.
    heights = page.locator("#play figure.chart svg text.name").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 11, heights
    context.close()


STAFF_CSV = ("name,email,department,team,manager_email,role,start_date\n"
             "Nina Newcomer-Bartholomew,nina.newcomer-bartholomew@example.com,Customer "
             "Experience and Operations,Northern Region Night Shift,mia@example.com,"
             "employee;manager,2026-04-01\n"
             "Olek Nowak,olek@example.com,Sales,Showroom,,employee,03/04/2026\n")


def test_the_staff_import_preview_fits_a_phone_and_is_valid_html(browser, site, tmp_path):
    """A page only a form's answer shows: the preview of a file, with a bad row beside a good
    one and long names, at 360 px, and its HTML through the Nu checker."""
    server, _ = site
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV)
    context, page = signed_in(browser, server, "ada", 360)
    page.goto(server.url + "/admin/import")
    page.get_by_label("CSV file from the HR system").set_input_files(str(staff))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "could be 3 April or 4 March" in page.content()
    page.screenshot(path=str(ARTIFACTS / "360" / "ada-import-preview.png"), full_page=True)
    assert page.evaluate(OVERFLOW) is None
    jar = vnu_jar()
    if jar is not None:  # the checker's own test says it is installed where it must be
        file = tmp_path / "preview.html"
        file.write_text(page.content(), encoding="utf-8")
        result = subprocess.run(["java", "-jar", str(jar), "--format", "json",
                                 "--errors-only", str(file)],
                                capture_output=True, text=True, timeout=120)
        messages = json.loads(result.stderr or '{"messages": []}')["messages"]
        assert [m["message"] for m in messages if m.get("type") == "error"] == []
    context.close()
