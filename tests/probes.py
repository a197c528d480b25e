"""Helpers for the tests: every route of the app and the places to fill its arguments with,
tokens read from pages, people's attempts started and played through the web, and a snapshot
of the whole database to prove that a refused request changed nothing."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from sqlalchemy import select

from trainer.extensions import db

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
HX_TOKEN = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str


def routes(app, places: dict[str, object]) -> Iterator[Route]:
    """Every (endpoint, method) of the URL map, with its arguments filled from `places`.

    A route with an argument `places` does not know fails here, so a new route cannot slip
    past the tests that walk them all.
    """
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        missing = rule.arguments - set(places)
        assert not missing, f"{rule.rule}: give the route walk a value for {missing}"
        url = adapter.build(rule.endpoint, {name: places[name] for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield Route(rule.endpoint, method, url)


def csrf_token(page: str, required: bool = True) -> str:
    """The CSRF token a page carries (in a form, or in the hx-headers of <body>); "" when it
    carries none and none is `required`."""
    found = TOKEN.search(page) or HX_TOKEN.search(page)
    assert found or not required, "no CSRF token on this page"
    return found.group(1) if found else ""


def database_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with app.app_context():
        return {table.name: sorted((tuple(row) for row in db.session.execute(select(table))),
                                   key=repr)
                for table in db.metadata.sorted_tables}


class InlineCode(HTMLParser):
    """Collects whatever a strict Content-Security-Policy would block or that runs code."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.htmx_config: dict | None = None
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and value and \
                    re.sub(r"\s", "", value).lower().startswith(("javascript:", "data:text")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
            if not values.get("src"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "meta" and values.get("name") == "htmx-config":
            self.htmx_config = json.loads(values["content"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:40]}")


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


def places(app, people) -> dict[str, object]:
    """A value for every argument of every route: Ann's attempt at the rude receptionist,
    Ann herself, her team, a scenario, a report and a static file."""
    from trainer.store import content, org, progress

    with app.app_context():
        attempt = progress.start_attempt(org.user_by_email("ann@example.com"),
                                         content.current("rude-receptionist"))
        attempt_id = attempt.id
    return {"attempt_id": attempt_id, "user_id": people.ids["ann"],
            "team_id": people.teams["x"], "scenario_id": "rude-receptionist",
            "name": "team", "filename": "style.css", "completion_id": 1,
            "token": "not-a-token", "draft_id": 1, "kind": "scenario",
            "ref": "rude-receptionist", "version_id": 1}


def start_attempt(client, scenario_id: str) -> int:
    """Start a scenario over as the signed-in person (a plain form post): the attempt's id."""
    response = client.post(f"/scenarios/{scenario_id}/attempts", data={"restart": "1"})
    assert response.status_code == 302, response.status_code
    return int(response.location.rsplit("/", 1)[1])


def play(client, attempt_id: int, path, htmx: bool = False) -> None:
    """Make the choices of `path` (node id, choice id) from the attempt's first decision,
    each checked to be on the page first; as htmx sends them, or as plain forms."""
    for index, (node_id, choice_id) in enumerate(path):
        page = client.get(f"/attempts/{attempt_id}")
        assert f'name="choice" value="{choice_id}"' in page.text, (node_id, page.text)
        response = client.post(f"/attempts/{attempt_id}/choices",
                               data={"step": str(index), "choice": choice_id},
                               headers={"HX-Request": "true"} if htmx else {})
        if htmx:
            assert response.status_code == 200
            assert response.headers["HX-Push-Url"] == f"/attempts/{attempt_id}"
            # The live region (swapped out of band), then the play region; no whole page.
            assert response.text.lstrip().startswith('<div id="play-feedback"')
            assert 'hx-swap-oob="innerHTML"' in response.text
            assert '<section id="play"' in response.text and "<html" not in response.text
        else:
            assert response.status_code == 302 and response.location == f"/attempts/{attempt_id}"


def pass_module(user_id: int, module_id: str) -> None:
    """In an app context: play every scenario of a module with its best options, so the
    person passes each one (and completes the module if it is assigned)."""
    from trainer.engine import available_choices
    from trainer.extensions import db
    from trainer.models import User
    from trainer.store import content, progress

    person = db.session.get(User, user_id)
    for scenario_id in content.module(module_id).scenarios:
        scenario = content.current(scenario_id)
        attempt = progress.start_attempt(person, scenario)
        while not attempt.finished:
            choices = available_choices(scenario, progress.play_state(attempt))
            progress.record_choice(attempt, attempt.step_count,
                                   max(choices, key=lambda c: c.points).id)
