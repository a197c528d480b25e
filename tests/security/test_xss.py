"""Untrusted text: script payloads put in every field that people, a staff CSV or a scenario
author supply come out escaped (or, in Markdown prose, sanitised) on every page that shows them.

The world built here: a scenario file, a module, a department and team from the admin form, a
department, team and people from a CSV import, a person with a tricky but valid email, all
carrying payloads; people play the scenario; then each audience reads its pages.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from conftest import PASSWORD, SCENARIOS, TODAY, login, make_app, make_org
from markupsafe import escape
from probes import inline_code
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Attempt, Team, User
from trainer.store import assignments, content, org

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
MD_LINK = "[click me](javascript:alert(1))"
PAYLOADS = [SCRIPT, IMG, JS_URL, MD_LINK]
EMAIL = "x'onmouseover='alert`1`'@example.com"  # valid: ' = ` are allowed in a local part
FORMULA = '=HYPERLINK("http://evil.example")'
# Never to be found as markup in a page (escaped text like &lt;script&gt; is fine).
RAW = ["<script>alert", "<img src=x onerror", "onmouseover='alert"]

SCENARIO = f"""---
id: xss-case
title: "The {SCRIPT} case"
summary: '{IMG} summary'
role: "{MD_LINK} role"
start: greeting
---

## greeting

XSS prose marker. {SCRIPT} {IMG} {MD_LINK} <a href="{JS_URL}">raw link</a>
<iframe src="{JS_URL}"></iframe> <svg onload=alert(1)></svg>

```choices
- text: "{SCRIPT} greet them"
  goto: good-end
  weights: {{warmth: 2}}
  feedback: '{IMG} good feedback {MD_LINK}'
- text: '{IMG} ignore them'
  goto: bad-end
  weights: {{warmth: -2}}
  feedback: "{SCRIPT} bad feedback"
```

## good-end

XSS good ending marker. {SCRIPT} {MD_LINK}

```ending
kind: good
title: "{SCRIPT} good ending"
```

## bad-end

XSS bad ending marker. {IMG}

```ending
kind: bad
title: '{IMG} bad ending'
```

# What really happened

XSS real case marker. {IMG} {MD_LINK} <a href="{JS_URL}">raw</a>
"""

MODULE = f"""
- id: xss-module
  title: "{SCRIPT} module"
  summary: '{IMG} module summary'
  scenarios: [xss-case]
  pass_mark: 70
  minutes: 5
"""

CSV_DEPARTMENT, CSV_TEAM = f"{SCRIPT} Dept", f"{IMG} Team"
FORM_DEPARTMENT, FORM_TEAM = JS_URL, MD_LINK
MAL, JOE = f"Mal {IMG}", f"{MD_LINK} Joe"
EVE = f"Eve {SCRIPT}"


def staff_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "department", "team", "manager_email", "role",
                     "start_date"])
    for name, email in ((MAL, "mal@example.com"), (JOE, "joe@example.com"),
                        (FORMULA, "formula@example.com")):
        writer.writerow([name, email, CSV_DEPARTMENT, CSV_TEAM, "mia@example.com", "employee",
                         "2026-01-05"])
    return out.getvalue()


@dataclass
class World:
    app: object
    ids: dict[str, int]
    csv_team: int
    form_team: int
    attempts: dict[str, int]
    htmx_fragment: str


def escaped(text: str) -> str:
    return str(escape(text))


def check_page(response, shows=()) -> str:
    """No payload as markup in the page; each of `shows` is in it (escaped where needed)."""
    assert response.status_code == 200, (response.request.path, response.status_code)
    html = response.text
    found = inline_code(html).found
    assert not found, (response.request.path, found)
    for raw in RAW:
        assert raw not in html, (response.request.path, raw)
    for text in shows:
        assert text in html, (response.request.path, text)
    return html


def _user_id(app, email: str) -> int:
    with app.app_context():
        return org.user_by_email(email).id


def _team_id(app, department: str, team: str) -> int:
    with app.app_context():
        return next(t.id for t in org.all_teams()
                    if t.name == team and t.department.name == department)


def _play(client, attempt_id: int, choice_text: str, htmx: bool = False):
    """Choose the option whose text starts with `choice_text` (escaped in the page)."""
    page = client.get(f"/attempts/{attempt_id}").text
    marker = escaped(choice_text)
    before, _ = page.split(marker, 1)
    choice = before.rsplit('value="', 1)[1].split('"', 1)[0]
    return client.post(f"/attempts/{attempt_id}/choices", data={"step": "0", "choice": choice},
                       headers={"HX-Request": "true"} if htmx else {})


def _start(client, scenario_id: str = "xss-case") -> int:
    response = client.post(f"/scenarios/{scenario_id}/attempts", data={"restart": "1"})
    return int(response.location.rsplit("/", 1)[1])


@pytest.fixture
def world(tmp_path) -> World:
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    (folder / "xss-case.md").write_text(SCENARIO, "utf-8")
    with open(folder / "modules.yaml", "a", encoding="utf-8") as modules:
        modules.write(MODULE)
    app = make_app(tmp_path, SCENARIOS_DIR=str(folder))
    with app.app_context():
        assert "xss-case" in content.library().scenarios, content.library().problems
        assert content.module("xss-module") is not None
    make_org(app)

    admin = app.test_client()
    login(admin, "ada")
    assert admin.post("/admin/teams", data={"team-department": FORM_DEPARTMENT,
                                            "team-team": FORM_TEAM}).status_code == 302
    form_team = _team_id(app, FORM_DEPARTMENT, FORM_TEAM)
    response = admin.post("/admin/users", data={"name": EVE, "email": EMAIL,
                                                "team": str(form_team), "roles": "employee",
                                                "password": PASSWORD})
    assert response.status_code == 302, response.text
    preview = admin.post("/admin/import", data={
        "upload-file": (io.BytesIO(staff_csv().encode()), "staff.csv")})
    token = re.search(r'name="confirm-token" type="hidden" value="([^"]+)"', preview.text)
    response = admin.post("/admin/import", data={"confirm-token": token.group(1),
                                                 "confirm-onboarding": "y"})
    assert response.status_code == 302, response.text
    csv_team = _team_id(app, CSV_DEPARTMENT, CSV_TEAM)
    ids = {name: _user_id(app, f"{name}@example.com") for name in ("mal", "joe", "formula")}
    ids["eve"] = _user_id(app, EMAIL)
    due = (TODAY + timedelta(days=20)).isoformat()
    for team in (csv_team, form_team):
        assert admin.post("/manage/assign", data={"module": "xss-module",
                                                  "target": f"team:{team}",
                                                  "due": due}).status_code == 302
    with app.app_context():
        for short in ("mal", "joe"):
            org.set_password(db.session.get(User, ids[short]), PASSWORD)
        # Overdue work, so the people also appear in the overdue lists.
        late = [db.session.get(User, ids[short]) for short in ("mal", "joe", "formula")]
        assignments.assign(content.module("first-contact"), late,
                           TODAY - timedelta(days=3), None)
        db.session.commit()

    players = {}
    for short in ("mal", "joe", "eve"):
        players[short] = app.test_client()
        email = EMAIL if short == "eve" else f"{short}@example.com"
        response = players[short].post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.text
    attempts = {short: _start(client) for short, client in players.items()}
    assert _play(players["mal"], attempts["mal"], f"{IMG} ignore").status_code == 302
    fragment = _play(players["joe"], attempts["joe"], f"{SCRIPT} greet", htmx=True)
    assert fragment.status_code == 200
    with app.app_context():
        assert db.session.get(Attempt, attempts["mal"]).finished
        assert db.session.scalar(select(Team.id).where(Team.id == csv_team)) is not None
    yield World(app, ids, csv_team, form_team, attempts, fragment.text)
    with app.app_context():
        db.engine.dispose()


def _client(world: World, who: str):
    client = world.app.test_client()
    email = EMAIL if who == "eve" else f"{who}@example.com"
    assert client.post("/login", data={"email": email,
                                       "password": PASSWORD}).status_code == 302
    return client


def test_the_player_pages_escape_the_scenario_and_sanitise_its_prose(world):
    mal = _client(world, "mal")
    check_page(mal.get("/"), [escaped(f"{SCRIPT} module"), escaped(f"{IMG} module summary")])
    check_page(mal.get("/scenarios"), [escaped(f"The {SCRIPT} case")])
    check_page(mal.get("/scenarios/xss-case"), [escaped(f"The {SCRIPT} case"),
                                                escaped(f"{IMG} summary"),
                                                escaped(f"{MD_LINK} role")])
    debrief = check_page(mal.get(f"/attempts/{world.attempts['mal']}"),
                         [escaped(f"{IMG} bad ending"), "XSS bad ending marker",
                          "XSS real case marker", "XSS prose marker",
                          escaped(f"{IMG} ignore them"), escaped(f"{SCRIPT} bad feedback")])
    assert "<iframe" not in debrief and "<svg onload" not in debrief
    eve = _client(world, "eve")
    play = check_page(eve.get(f"/attempts/{world.attempts['eve']}"),
                      ["XSS prose marker", escaped(f"{SCRIPT} greet them"),
                       escaped(f"{IMG} ignore them")])
    assert "<iframe" not in play and ">click me</a>" in play  # the link kept, its URL not
    check_page(eve.get("/"), [escaped(f"{SCRIPT} module")])


def test_the_htmx_fragment_after_a_choice_is_escaped_too(world):
    html = world.htmx_fragment
    assert not inline_code(html).found
    for raw in RAW:
        assert raw not in html
    assert escaped(f"{IMG} good feedback {MD_LINK}") in html
    assert escaped(f"{SCRIPT} good ending") in html


def test_the_manager_pages_escape_people_teams_and_choices(world):
    mia = _client(world, "mia")
    mal = world.ids["mal"]
    check_page(mia.get("/manage/"), [escaped(CSV_TEAM), escaped(MAL)])
    check_page(mia.get(f"/manage/teams/{world.csv_team}"),
               [escaped(CSV_TEAM), escaped(MAL), escaped(JOE), escaped(f"{SCRIPT} module")])
    check_page(mia.get(f"/manage/teams/{world.csv_team}/choices?scenario=xss-case"),
               [escaped(f"{IMG} ignore them"), "XSS prose marker"])
    check_page(mia.get(f"/manage/people/{mal}"), [escaped(MAL), escaped(f"The {SCRIPT} case")])
    check_page(mia.get(f"/manage/people/{mal}/attempts/{world.attempts['mal']}"),
               [escaped(MAL), escaped(f"{IMG} ignore them"), escaped(f"{SCRIPT} bad feedback")])
    ada = _client(world, "ada")
    check_page(ada.get(f"/manage/teams/{world.form_team}"),
               [escaped(FORM_TEAM), escaped(EVE)])


def test_the_admin_pages_escape_names_emails_and_the_search(world):
    ada = _client(world, "ada")
    check_page(ada.get("/admin/users"), [escaped(EVE), escaped(EMAIL), escaped(MAL),
                                         escaped(CSV_TEAM), escaped(FORM_TEAM)])
    for search in PAYLOADS + [EMAIL]:
        check_page(ada.get("/admin/users?" + urlencode({"q": search})), [escaped(search)])
    check_page(ada.get(f"/admin/users/{world.ids['eve']}"), [escaped(EVE), escaped(EMAIL)])
    check_page(ada.get(f"/admin/users/{world.ids['mal']}"), [escaped(MAL), escaped(CSV_TEAM)])


def test_the_import_preview_escapes_the_file(world):
    ada = _client(world, "ada")
    text = staff_csv().replace("mal@", "mal2@").replace("joe@", "joe2@") \
        .replace("formula@", "formula2@")
    response = ada.post("/admin/import", data={"upload-file": (io.BytesIO(text.encode()),
                                                               "staff.csv")})
    check_page(response, [escaped(MAL), escaped(JOE), escaped(CSV_DEPARTMENT)])
    bad = text.replace("2026-01-05", f"{SCRIPT}", 1)  # a bad row: the error names the value
    response = ada.post("/admin/import", data={"upload-file": (io.BytesIO(bad.encode()),
                                                               "staff.csv")})
    assert response.status_code == 422
    assert not inline_code(response.text).found
    assert "<script>alert" not in response.text


REPORT_FILTERS = [{"module": SCRIPT}, {"from": IMG, "to": JS_URL},
                  {"department": MD_LINK, "team": SCRIPT}, {"module": IMG, "from": SCRIPT}]


def test_the_reports_escape_names_and_the_filters(world):
    hugo = _client(world, "hugo")
    check_page(hugo.get("/reports/"), [escaped(CSV_DEPARTMENT), escaped(CSV_TEAM),
                                       escaped(MAL), escaped(f"{SCRIPT} module")])
    for filters in REPORT_FILTERS:
        check_page(hugo.get("/reports/?" + urlencode(filters)),
                   [escaped(value) for value in filters.values()])


@pytest.mark.parametrize("table", ["department", "team", "module", "overdue", "scores",
                                   "principles"])
def test_the_csv_exports_are_csv_with_formulas_neutralised(world, table):
    hugo = _client(world, "hugo")
    for filters in [{}, *REPORT_FILTERS]:
        response = hugo.get(f"/reports/{table}.csv?" + urlencode(filters))
        assert response.status_code == 200
        assert response.mimetype == "text/csv"  # never read as a page (and nosniff)
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), (table, cells)
    if table == "overdue":
        assert "'" + FORMULA in cells and MAL in cells


def test_a_sign_in_link_cannot_send_people_elsewhere(world):
    for target in (JS_URL, "//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = world.app.test_client()
        page = client.get("/login?" + urlencode({"next": target}))
        check_page(page)
        response = client.post("/login?" + urlencode({"next": target}),
                               data={"email": "ann@example.com", "password": PASSWORD})
        assert response.status_code == 302
        assert response.location == "/", (target, response.location)
