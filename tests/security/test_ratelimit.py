"""Sign-in rate limits: per address and per account, the same answer whether the account
exists or not, and one count for several processes when Redis keeps it."""
import os
import re

import pytest
from conftest import PASSWORD, make_app, make_org

from trainer.extensions import db

REDIS_URL = os.environ.get("TRAINER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TOO_MANY = "Too many sign-in attempts"
PER_ADDRESS, PER_ACCOUNT = 10, 5  # the defaults in trainer/config.py


def limited_app(tmp_path, **overrides):
    return make_app(tmp_path, RATELIMIT_ENABLED=True, **overrides)


@pytest.fixture
def app(tmp_path):
    app = limited_app(tmp_path)
    make_org(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def attempt(app, email: str, address: str, password: str = "wrong password!"):
    client = app.test_client()
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_one_account_is_refused_after_five_tries_from_anywhere(app):
    for number in range(PER_ACCOUNT):
        assert attempt(app, "ann@example.com", f"10.0.0.{number}").status_code == 422
    refused = attempt(app, "Ann@Example.com ", "10.0.1.1", PASSWORD)  # right password, too late
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert "<h1>Sign in</h1>" in refused.text and "<html" in refused.text  # the sign-in page
    assert attempt(app, "bob@example.com", "10.0.1.1", PASSWORD).status_code == 302


def test_successful_sign_ins_are_not_counted(app):
    """Found on a user's walk: the sixth good sign-in to one account within a minute was
    refused, and an office behind one address could hit the limit at shift start."""
    for _ in range(PER_ADDRESS + 2):
        assert attempt(app, "ann@example.com", "10.0.3.1", PASSWORD).status_code == 302
    for _ in range(PER_ACCOUNT):  # the wrong guesses are still counted
        assert attempt(app, "ann@example.com", "10.0.3.1").status_code == 422
    assert attempt(app, "ann@example.com", "10.0.3.1", PASSWORD).status_code == 429


def test_one_address_is_refused_after_ten_tries_on_any_accounts(app):
    for number in range(PER_ADDRESS):
        assert attempt(app, f"guess{number}@example.com", "10.0.0.9").status_code == 422
    refused = attempt(app, "ann@example.com", "10.0.0.9", PASSWORD)
    assert refused.status_code == 429 and TOO_MANY in refused.text
    assert attempt(app, "ann@example.com", "10.0.0.10", PASSWORD).status_code == 302


def _without_tokens(page: str) -> str:
    return re.sub(r'(value="|X-CSRFToken": ")[^"]*"', "", page)


def test_the_refusal_does_not_tell_whether_the_account_exists(app):
    pages = {}
    for email in ("ann@example.com", "nobody@example.com"):
        for _ in range(PER_ACCOUNT):
            attempt(app, email, "10.0.2.1" if email.startswith("ann") else "10.0.2.2")
        pages[email] = attempt(app, email, "10.0.3.1")
    existing, unknown = pages.values()
    assert existing.status_code == unknown.status_code == 429
    assert _without_tokens(existing.text) == _without_tokens(unknown.text)


def test_viewing_the_sign_in_page_is_not_counted(app):
    client = app.test_client()
    for _ in range(PER_ADDRESS + 5):
        assert client.get("/login").status_code == 200
    assert attempt(app, "ann@example.com", "127.0.0.1", PASSWORD).status_code == 302


def test_the_rest_of_the_suite_runs_without_limits(tmp_path):
    app = make_app(tmp_path)
    make_org(app)
    for _ in range(PER_ADDRESS + 1):
        assert attempt(app, "ann@example.com", "10.0.0.1").status_code == 422
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.flushdb()
    except redis.exceptions.ConnectionError:
        reason = f"no Redis at {REDIS_URL} (set TRAINER_TEST_REDIS_URL)"
        if os.environ.get("CI") == "true":  # .ci/run starts one: its absence is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    yield server
    server.flushdb()
    server.close()


def test_processes_sharing_redis_share_one_count(tmp_path, redis_db):
    """Two app instances (as two processes would) on one Redis: tries on either count."""
    first = limited_app(tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL)
    second = limited_app(tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL)
    make_org(first)
    for number in range(PER_ACCOUNT):
        app = (first, second)[number % 2]
        assert attempt(app, "ann@example.com", f"10.0.4.{number}").status_code == 422
    for app in (first, second):
        response = attempt(app, "ann@example.com", "10.0.5.1", PASSWORD)
        assert response.status_code == 429 and TOO_MANY in response.text
    for number in range(PER_ADDRESS - 1):  # the address count is shared as well (1 above)
        app = (first, second)[number % 2]
        attempt(app, f"guess{number}@example.com", "10.0.4.0")
    assert attempt(second, "bob@example.com", "10.0.4.0", PASSWORD).status_code == 429
    assert attempt(second, "bob@example.com", "10.0.4.99", PASSWORD).status_code == 302
    assert redis_db.dbsize() > 0  # the counts were kept in Redis, not in memory
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_signing_in_still_works_when_redis_is_down(tmp_path):
    app = limited_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    make_org(app)
    assert attempt(app, "ann@example.com", "10.0.6.1", PASSWORD).status_code == 302
    for number in range(PER_ACCOUNT):  # counted in memory meanwhile
        attempt(app, "bob@example.com", f"10.0.6.{number}")
    assert attempt(app, "bob@example.com", "10.0.7.1", PASSWORD).status_code == 429
    with app.app_context():
        db.engine.dispose()


def test_a_wrong_password_reads_the_same_for_known_and_unknown_accounts(app):
    known = attempt(app, "ann@example.com", "10.0.8.1")
    unknown = attempt(app, "nobody@example.com", "10.0.8.2")
    assert known.status_code == unknown.status_code == 422
    assert _without_tokens(known.text) == _without_tokens(unknown.text)


def test_the_limits_can_be_set_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_LOGIN_LIMIT_PER_ACCOUNT", "2/minute")
    app = limited_app(tmp_path)
    make_org(app)
    for number in range(2):
        assert attempt(app, "ann@example.com", f"10.0.9.{number}").status_code == 422
    assert attempt(app, "ann@example.com", "10.0.9.9", PASSWORD).status_code == 429
    with app.app_context():
        db.engine.dispose()


def test_guessing_the_current_password_is_limited_per_account(app):
    from conftest import login

    client = app.test_client()
    login(client, "ann")
    wrong = {"current": "not my password", "new": "a brand new passphrase",
             "confirm": "a brand new passphrase"}
    for _ in range(5):
        response = client.post("/account/password", data=wrong)
        assert response.status_code == 422 and "That is not your current password" in \
            response.text
    refused = client.post("/account/password", data={**wrong, "current": PASSWORD})
    assert refused.status_code == 429 and "Too many wrong current passwords" in refused.text
    other = app.test_client()  # another person's count is their own
    login(other, "bob")
    assert other.post("/account/password", data=wrong).status_code == 422


def test_changing_the_password_itself_is_not_counted(app):
    from conftest import login

    client = app.test_client()
    login(client, "ann")
    password = PASSWORD
    for number in range(7):
        new = f"another good passphrase {number}"
        response = client.post("/account/password", data={"current": password, "new": new,
                                                            "confirm": new})
        assert response.status_code == 302, response.text
        password = new
