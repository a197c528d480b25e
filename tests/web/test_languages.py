"""The interface in English, Russian and Polish: which language a page is in, the catalogues
complete and compiled, plural forms right, and no English text of the interface left on a
page shown in another language."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from conftest import login, signed_in

from trainer.extensions import db
from trainer.i18n import LANGUAGES, TRANSLATIONS
from trainer.models import User

OTHERS = [code for code in LANGUAGES if code != "en"]


def catalogue(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=code)


def template():
    with open(TRANSLATIONS / "messages.pot", "rb") as file:
        return read_po(file)


@pytest.mark.parametrize("code", OTHERS)
def test_every_text_is_translated_and_none_is_fuzzy(code):
    found = catalogue(code)
    extracted = {m.id for m in template() if m.id}
    translated = {m.id for m in found if m.id}
    assert extracted <= translated, f"run `make translations`: {sorted(extracted - translated)[:5]}"
    untranslated = [m.id for m in found if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert untranslated == [], untranslated[:10]
    assert [m.id for m in found if m.id and m.fuzzy] == []


@pytest.mark.parametrize("code", OTHERS)
def test_the_compiled_catalogue_is_the_one_the_texts_say(code):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo", "rb") as file:
        compiled = {as_tuple(m.id): as_tuple(m.string) for m in read_mo(file) if m.id}
    written = {as_tuple(m.id): as_tuple(m.string) for m in catalogue(code) if m.id}
    assert compiled == written, "run `make translations` to compile the .mo files"


def as_tuple(string):
    return tuple(string) if isinstance(string, list | tuple) else string


@pytest.mark.parametrize(("code", "forms"), [
    ("en", {1: "1 person", 2: "2 people", 5: "5 people"}),
    ("ru", {1: "1 человек", 2: "2 человека", 5: "5 человек", 11: "11 человек",
            21: "21 человек", 22: "22 человека"}),
    ("pl", {1: "1 osoba", 2: "2 osoby", 5: "5 osób", 12: "12 osób", 22: "22 osoby"}),
])
def test_plural_forms_follow_each_language(app, code, forms):
    """A team's size on the teams page ("1 people" is not English, nor its equivalents)."""
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"), force_locale(code):
        for number, expected in forms.items():
            assert ngettext("%(num)d person", "%(num)d people", number) == expected


def test_a_person_s_own_language_beats_the_browser_and_the_browser_beats_the_default(
        app, people, client):
    login(client, "ann")
    assert '<html lang="en">' in client.get("/").text
    assert '<html lang="pl">' in client.get("/", headers={"Accept-Language": "pl,en;q=0.5"}).text
    response = client.post("/account/language", data={"language": "ru"})
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "pl"}).text
    assert '<html lang="ru">' in page and "Моё обучение" in page
    client.post("/account/language", data={"language": ""})  # back to the browser's
    assert '<html lang="pl">' in client.get("/", headers={"Accept-Language": "pl"}).text
    refused = client.post("/account/language", data={"language": "xx"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(User, people.ids["ann"]).language is None


def test_the_organisation_s_default_applies_when_nobody_chooses(tmp_path):
    from conftest import make_app, make_org

    app = make_app(tmp_path, DEFAULT_LANGUAGE="pl")
    make_org(app)
    [ann] = signed_in(app, "ann")
    assert '<html lang="pl">' in ann.get("/").text
    assert '<html lang="en">' in ann.get("/", headers={"Accept-Language": "en"}).text


class Texts(HTMLParser):
    """The text a person reads on a page: text nodes and the attributes read aloud."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.found.append(" ".join(data.split()))


def english_left(page: str) -> list[str]:
    """The interface's English messages (of three words or more) found on a page."""
    parser = Texts()
    parser.feed(page)
    shown = "\n".join(parser.found)
    messages = {re.sub(r"%\(\w+\)[sd]", "", m.id if isinstance(m.id, str) else m.id[0]).strip()
                for m in template() if m.id}
    return sorted(m for m in messages if len(m.split()) >= 3 and m in shown)


PAGES = {  # who: pages of the interface (scenario content is translated with the scenarios)
    "ann": ["/", "/scenarios", "/account/password"],
    "mia": ["/manage/", "/manage/teams/{x}", "/manage/people/{ann}"],
    "hugo": ["/reports/", "/admin/import"],
    "ada": ["/admin/users", "/admin/users/{ann}", "/admin/branding"],
    "abe": ["/author/"],
}


@pytest.mark.parametrize("code", OTHERS)
@pytest.mark.parametrize("who", sorted(PAGES))
def test_no_english_interface_text_is_left_on_a_page(app, people, code, who):
    [client] = signed_in(app, who)
    places = {"x": people.teams["x"], "ann": people.ids["ann"]}
    for url in PAGES[who]:
        page = client.get(url.format(**places), headers={"Accept-Language": code})
        assert page.status_code == 200, url
        assert f'<html lang="{code}">' in page.text
        assert english_left(page.text) == [], url
