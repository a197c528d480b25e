"""Bad input never crashes: garbage ids, parameters and form fields on every route, and
requests too big to read, get a clear 4xx page (never a 500)."""
import io

import pytest
from conftest import login, make_app, make_org
from probes import routes

from trainer.extensions import db

INTS = [0, 2**31, 2**63, 10**30]  # none exists; past INTEGER, BIGINT and any machine word
TEXTS = ["no-such-thing", "\x00", "%00", "../../etc/passwd", "<script>", "ż" * 300,
         "x" * 5000, " ", "-1", "1e400", str(10**30)]
# Query parameters the app reads somewhere, with values nobody should send.
GARBAGE_QUERY = [
    {"q": "\x00"}, {"q": "%" * 200}, {"scenario": "\x00"}, {"scenario": "x" * 5000},
    {"module": "\x00"}, {"from": "99999-99-99", "to": "\x00"}, {"from": "2026-02-30"},
    {"department": "-1", "team": "1e400"}, {"department": str(10**30), "team": "²"},
    {"department": "\x00", "team": " 1"}, {"next": "\x00"}, {"next": "//evil.example"},
]
FORM_FIELDS = ["email", "password", "current", "new", "confirm", "restart", "step", "choice",
               "module", "target", "due", "return_to", "name", "team", "roles", "manages",
               "team-department", "team-team", "edit-name", "edit-email", "edit-team",
               "edit-roles", "edit-manages", "reset-new", "confirm-token", "confirm-onboarding",
               "upload-file"]
FORM_VALUES = ["", "\x00", "x" * 20000, "-1", str(10**30), "2026-02-30", "team:" + "9" * 30,
               "user:\x00", "department:-1", "ż", "c1\x00"]


def garbage_routes(app, places: dict):
    """Every route with one of its arguments replaced by garbage, each in turn."""
    for route in routes(app, places):
        rule = next(r for r in app.url_map.iter_rules(route.endpoint))
        for name in sorted(rule.arguments):
            for bad in INTS if isinstance(places[name], int) else TEXTS:
                yield from (r for r in routes(app, places | {name: bad})
                            if r.endpoint == route.endpoint and r.method == route.method)


def assert_clear_answer(response, what) -> None:
    response.get_data()
    assert response.status_code < 500, (what, response.status_code)
    if response.status_code >= 400 and response.mimetype == "text/html":
        assert "<h1" in response.text or 'role="alert"' in response.text, what


@pytest.mark.parametrize("who", ["anonymous", "ann", "ada"])
def test_garbage_in_any_url_argument_is_a_clear_4xx(app, places, who):
    client = app.test_client()
    if who != "anonymous":
        login(client, who)
    for route in garbage_routes(app, places):
        if route.endpoint == "auth.logout":
            continue
        response = client.open(route.url, method=route.method)
        assert_clear_answer(response, (who, route))


@pytest.mark.parametrize("who", ["ann", "ada"])
def test_garbage_query_parameters_never_crash_a_page(app, places, who):
    client = app.test_client()
    login(client, who)
    for route in routes(app, places):
        if route.method != "GET":
            continue
        for query in GARBAGE_QUERY:
            response = client.get(route.url, query_string=query)
            assert_clear_answer(response, (who, route, query))


@pytest.mark.parametrize("value", FORM_VALUES, ids=lambda value: repr(value)[:20])
def test_malformed_form_fields_never_crash_a_post(app, places, value):
    client = app.test_client()
    login(client, "ada")
    ann = app.test_client()
    login(ann, "ann")
    for route in routes(app, places):
        if route.method != "POST" or route.endpoint == "auth.logout":
            continue
        form = {field: value for field in FORM_FIELDS if field != "upload-file"}
        for who in (client, ann):
            response = who.post(route.url, data=form)
            assert_clear_answer(response, (route, value))
        upload = {"upload-file": (io.BytesIO(value.encode()), "staff.csv")}
        assert_clear_answer(client.post(route.url, data=upload), (route, "upload", value))


def test_a_signed_out_garbage_login_is_refused_plainly(client, people):
    """Read and refused: a 422 with the sign-in form, or a 400 for a value the app cannot take
    at all (a NUL character)."""
    for value in FORM_VALUES:
        response = client.post("/login", data={"email": value, "password": value})
        assert response.status_code in (400, 422), value
        assert response.status_code == 400 or "<h1>Sign in</h1>" in response.text, value


def test_an_oversized_request_gets_a_413_page(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=64 * 1024)
    make_org(app)
    client = app.test_client()
    login(client, "ada")
    big = b"name,email\n" + b"x" * (128 * 1024)
    for url, data in (("/admin/import", {"upload-file": (io.BytesIO(big), "staff.csv")}),
                      ("/login", {"email": "a" * (128 * 1024), "password": "x"}),
                      ("/admin/users", {"name": "x" * (128 * 1024)})):
        response = client.post(url, data=data)
        assert response.status_code == 413, url
        assert "<html" in response.text and "<h1>413" in response.text
    with app.app_context():
        db.engine.dispose()


def test_the_default_size_limit_fits_a_large_staff_file(app):
    assert app.config["MAX_CONTENT_LENGTH"] >= 2 * 1024 * 1024


def test_a_nul_character_is_refused_with_a_reason(app, people):
    client = app.test_client()
    login(client, "ada")
    for response in (client.get("/admin/users", query_string={"q": "a\x00b"}),
                     client.post("/admin/teams", data={"team-department": "\x00",
                                                       "team-team": "x"})):
        assert response.status_code == 400
        assert "NUL character" in response.text and "<h1>400" in response.text
