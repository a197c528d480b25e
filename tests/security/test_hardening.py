"""What a probe of the running app found, each closed as a class: return addresses that
leave the site, inputs that made 500 pages, and images from other sites in scenario prose."""
from datetime import timedelta

import pytest
from conftest import PASSWORD, TODAY

from trainer.prose import render
from trainer.views.returns import safe_return

HOME = "/"


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\r\n/evil.example",
    "/\\evil.example", "\\\\evil.example", "//evil.example", "///evil.example",
    "https://evil.example/", "javascript:alert(1)", " /x", "/x\x00", "evil.example", "",
])
def test_a_return_address_that_could_leave_the_site_is_replaced(target):
    from urllib.parse import unquote

    assert safe_return(unquote(target), HOME) == HOME


@pytest.mark.parametrize("target", ["/", "/scenarios", "/manage/teams/3?x=1#top"])
def test_a_path_of_this_site_is_kept(target):
    assert safe_return(target, HOME) == target


@pytest.mark.parametrize("query", ["next=/%09/evil.example", "next=/%0a/x",
                                   "next=%5C%5Cevil.example", "next=/%5Cevil.example",
                                   "next=%20//evil.example"])
def test_signing_in_never_sends_anyone_to_another_site(client, people, query):
    response = client.post(f"/login?{query}", data={"email": "ann@example.com",
                                                     "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"


def test_signing_in_still_returns_to_the_page_asked_for(client, people):
    response = client.post("/login?next=/scenarios", data={"email": "ann@example.com",
                                                           "password": PASSWORD})
    assert response.location == "/scenarios"


@pytest.mark.parametrize("step", ["²", "٣", "1" * 5000, "-1", "1.0", " 1"])
def test_a_step_that_is_no_plain_number_is_a_bad_request(client, login_as, step):
    login_as("ann")
    attempt = client.post("/scenarios/rude-receptionist/attempts").location.rsplit("/", 1)[1]
    response = client.post(f"/attempts/{attempt}/choices", data={"step": step, "choice": "c1"})
    assert response.status_code == 400


def test_a_line_break_in_return_to_sends_back_to_the_default_page(app, client, people,
                                                                  login_as):
    from trainer.extensions import db
    from trainer.models import Assignment

    login_as("mia")
    response = client.post("/manage/assign", data={
        "module": "onboarding", "target": f"user:{people.ids['ann']}",
        "due": (TODAY + timedelta(days=7)).isoformat(),
        "return_to": "/manage/\r\nSet-Cookie: x=1"})
    assert response.status_code == 302 and response.location == "/manage/"
    with app.app_context():
        assert db.session.query(Assignment).count() == 1  # saved once, and answered


def test_an_error_page_links_back_only_within_the_site(client, login_as):
    login_as("ann")
    response = client.get("/scenarios/no-such-thing",
                          headers={"HX-Request": "true",
                                   "HX-Current-URL": "http://127.0.0.1//evil.example/x"})
    assert response.status_code == 404
    assert "evil.example" not in response.text


def test_scenario_prose_shows_only_the_apps_own_images():
    html = str(render("![a](https://evil.example/a.png) ![b](//evil.example/b.png) "
                      '<img src="/static/../../x"> '
                      '<img src="/static/p.svg" srcset="https://e/x 2x"> '
                      "![c](/static/favicon.svg)"))
    assert "evil.example" not in html and "srcset" not in html and ".." not in html
    assert 'src="/static/favicon.svg"' in html and 'src="/static/p.svg"' in html
