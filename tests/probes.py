"""Helpers for the security tests: every route of the app, tokens read from pages, and a
snapshot of the whole database to prove that a refused request changed nothing."""
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


def csrf_token(page: str) -> str:
    """The CSRF token a page carries (in a form, or in the hx-headers of <body>)."""
    found = TOKEN.search(page) or HX_TOKEN.search(page)
    assert found, "no CSRF token on this page"
    return found.group(1)


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
