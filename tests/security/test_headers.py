"""Security headers on every answer of every route, and pages the content policy can allow:
no inline script or style, no event-handler attributes, htmx configured without eval."""
import pytest
from conftest import login
from probes import inline_code, routes

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
    "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def check_headers(response, what) -> None:
    response.get_data()  # a streamed answer (CSV) runs to its end
    headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in
                  headers["Content-Security-Policy"].split(";"))
    for directive, value in POLICY.items():
        assert policy.get(directive) == value, (what, directive, policy)
    assert "unsafe" not in headers["Content-Security-Policy"], what
    assert headers["X-Content-Type-Options"] == "nosniff", what
    assert headers["X-Frame-Options"] == "DENY", what
    assert headers["Referrer-Policy"] == "same-origin", what
    if "/static/" in what[1]:
        assert "no-store" not in headers.get("Cache-Control", ""), what
    else:
        assert headers["Cache-Control"] == "no-store", what
        assert "HX-Request" in response.vary, what
    if response.mimetype == "text/html":
        found = inline_code(response.text)
        assert not found.found, (what, found.found)


@pytest.mark.parametrize("who", ["anonymous", "ann", "ada"])
def test_every_answer_of_every_route_carries_the_headers(app, places, who):
    client = app.test_client()
    if who != "anonymous":
        login(client, who)
    for route in routes(app, places):
        if route.endpoint == "auth.logout":
            continue  # would sign out for the routes after it
        response = client.open(route.url, method=route.method)
        check_headers(response, (who, route.url, route.method, response.status_code))
        hx = client.open(route.url, method=route.method, headers={"HX-Request": "true"})
        check_headers(hx, (who, route.url, route.method, "htmx", hx.status_code))


@pytest.mark.parametrize("url, status", [("/no/such/page", 404), ("/attempts/999999", 404),
                                         ("/scenarios/no-such-scenario", 404)])
def test_error_pages_carry_the_headers_too(app, people, url, status):
    client = app.test_client()
    login(client, "ann")
    response = client.get(url)
    assert response.status_code == status
    check_headers(response, ("ann", url, "GET", status))


def test_a_method_not_allowed_carries_the_headers(client):
    response = client.get("/logout")
    assert response.status_code == 405
    check_headers(response, ("anonymous", "/logout", "GET", 405))


def test_htmx_is_configured_for_the_content_policy(client):
    config = inline_code(client.get("/login").text).htmx_config
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0  # no snapshot of a private page in localStorage


def test_a_signed_in_page_varies_by_cookie(app, people):
    client = app.test_client()
    login(client, "ann")
    assert "Cookie" in client.get("/").vary
