"""Sessions: cookie flags, a fresh session on sign-in, and every session of a person ended by
signing out, a password change or deactivation (on every device, and for copied cookies)."""
import pytest
from conftest import PASSWORD, login, make_app

from trainer.extensions import db

COOKIE = "session"


def session_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else ""


def with_cookie(app, value: str):
    """A new browser that presents a copied session cookie."""
    client = app.test_client()
    client.set_cookie(COOKIE, value)
    return client


def is_signed_in(client) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def set_cookie_header(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    return header


@pytest.mark.parametrize("https", ["", "1"])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(tmp_path, monkeypatch, https):
    monkeypatch.setenv("TRAINER_HTTPS", https)
    app = make_app(tmp_path)
    header = set_cookie_header(app.test_client().get("/login"))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert ("Secure" in header.split("; ")) == (https == "1")
    with app.app_context():
        db.engine.dispose()


def test_signing_in_starts_a_new_session(app, client, people):
    client.get("/login")
    before = session_cookie(client)
    assert before  # the sign-in page already holds a session (its CSRF token)
    login(client, "ann")
    after = session_cookie(client)
    assert after and after != before
    assert not is_signed_in(with_cookie(app, before))
    assert is_signed_in(with_cookie(app, after))


def test_signing_out_ends_every_session_of_that_person(app, people):
    laptop, phone, other = app.test_client(), app.test_client(), app.test_client()
    for client in (laptop, phone):
        login(client, "ann")
    login(other, "bob")
    copied = session_cookie(laptop)
    assert laptop.post("/logout").status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(with_cookie(app, copied))  # a stolen cookie is no use either
    assert is_signed_in(other)  # nobody else is signed out
    login(laptop, "ann")
    assert is_signed_in(laptop)


def test_changing_ones_password_ends_every_other_session(app, people):
    laptop, phone = app.test_client(), app.test_client()
    for client in (laptop, phone):
        login(client, "ann")
    copied = session_cookie(phone)
    response = laptop.post("/account/password", data={
        "current": PASSWORD, "new": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert is_signed_in(laptop)  # the session that changed it goes on
    assert not is_signed_in(phone)
    assert not is_signed_in(with_cookie(app, copied))
    assert phone.post("/login", data={"email": "ann@example.com",
                                      "password": PASSWORD}).status_code == 422
    assert phone.post("/login", data={"email": "ann@example.com",
                                      "password": "a brand new password"}).status_code == 302


def test_a_password_set_by_an_administrator_ends_every_session(app, people):
    cat, admin = app.test_client(), app.test_client()
    login(cat, "cat")
    login(admin, "ada")
    response = admin.post(f"/admin/users/{people.ids['cat']}/password",
                          data={"reset-new": "set by the admin"})
    assert response.status_code == 302
    assert not is_signed_in(cat)
    assert is_signed_in(admin)


def test_deactivation_ends_every_session_and_reactivation_revives_none(app, people):
    laptop, phone, admin = app.test_client(), app.test_client(), app.test_client()
    for client in (laptop, phone):
        login(client, "cat")
    copied = session_cookie(laptop)
    login(admin, "ada")
    assert admin.post(f"/admin/users/{people.ids['cat']}/deactivate",
                      data={"confirm": "yes"}).status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert laptop.post("/login", data={"email": "cat@example.com",
                                       "password": PASSWORD}).status_code == 422
    assert admin.post(f"/admin/users/{people.ids['cat']}/reactivate").status_code == 302
    assert not is_signed_in(with_cookie(app, copied))
    login(laptop, "cat")
    assert is_signed_in(laptop)
