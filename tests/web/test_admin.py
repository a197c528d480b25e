"""The people pages: what an administrator may save about a person."""
import re

import pytest
from probes import database_rows

from trainer.models import ROLES

NO_ROLE = "Give them at least one role: without one they can open nothing."


def edit_form(people, **changes) -> tuple[str, dict]:
    form = {"edit-name": "Cat Renamed", "edit-email": "cat@example.com", "edit-team": "0",
            "edit-roles": "employee"}
    return f"/admin/users/{people.ids['cat']}", form | changes


def create_form(people, **changes) -> tuple[str, dict]:
    form = {"name": "Nick New", "email": "nick@example.com", "team": "0", "roles": "employee"}
    return "/admin/users", form | changes


@pytest.mark.parametrize("form", [edit_form, create_form], ids=["edit", "create"])
def test_a_person_cannot_be_saved_without_a_role(app, client, login_as, people, form):
    login_as("ada")
    url, data = form(people)
    roles = next(name for name in data if name.endswith("roles"))
    before = database_rows(app)
    response = client.post(url, data={k: v for k, v in data.items() if k != roles})
    assert response.status_code == 422
    assert NO_ROLE in response.text
    assert database_rows(app) == before
    # The same form with a role is saved: the missing role was what stopped it.
    assert client.post(url, data=data).status_code == 302
    assert database_rows(app) != before


def test_the_role_boxes_do_not_each_demand_a_tick(client, login_as, people):
    login_as("ada")
    page = client.get(f"/admin/users/{people.ids['cat']}").text
    boxes = re.findall(r'<input[^>]*name="edit-roles"[^>]*>', page)
    assert len(boxes) == len(ROLES) and not any("required" in box for box in boxes)


def test_create_admin_makes_the_first_administrator_and_promotes_an_existing_person(app,
                                                                                    people):
    from trainer.cli import main
    from trainer.models import ADMIN
    from trainer.store import org

    runner = app.test_cli_runner()
    made = runner.invoke(main, ["create-admin", "boss@example.com", "--name", "Boss",
                                "--password", "a long enough password"])
    assert made.exit_code == 0 and "boss@example.com is an administrator." in made.output
    promoted = runner.invoke(main, ["create-admin", "ann@example.com",
                                    "--password", "another long password"])
    assert promoted.exit_code == 0, promoted.output
    short = runner.invoke(main, ["create-admin", "x@example.com", "--password", "short"])
    assert short.exit_code != 0
    with app.app_context():
        assert ADMIN in org.user_by_email("boss@example.com").roles
        ann = org.user_by_email("ann@example.com")
        assert ADMIN in ann.roles and org.check_password(ann, "another long password")
        assert org.user_by_email("x@example.com") is None


def test_deactivation_asks_for_confirmation_and_then_reads_as_it_is(app, client, login_as,
                                                                     people):
    """Defects found tried as a new user would: no confirmation, "Deactivated · can sign in",
    and a deactivated manager still named as managing the team."""
    login_as("ada")
    url = f"/admin/users/{people.ids['mia']}"
    before = database_rows(app)
    page = client.post(f"{url}/deactivate", follow_redirects=True).text
    assert "Mia Manager is still active: tick the box to confirm" in page
    assert database_rows(app) == before
    assert 'name="confirm" value="yes" required' in page
    page = client.post(f"{url}/deactivate", data={"confirm": "yes"}, follow_redirects=True).text
    assert "is deactivated" in page
    assert re.search(r"Deactivated \d{4}-\d\d-\d\d · cannot sign in", page)
    assert "can sign in" not in page.replace("cannot sign in", "")
    teams = client.get("/manage/").text  # Ada sees every team; Mia managed Showroom
    showroom = re.search(r"Showroom</a></h2>.*?</li>", teams, re.S)[0]
    assert "Mia Manager" not in showroom


def test_the_people_list_is_paged_and_searched_as_typed(app, client, login_as, people):
    """Found tried as a new user would: 70 people on one page, '%' and '_' matching everyone,
    and an error for 'Add a person' 2,800 px below the top of the page it reloads."""
    from trainer.store import org

    with app.app_context():
        for number in range(30):
            org.create_user(f"Zed Person {number:02d}", f"zed{number}@example.com",
                            {"employee"})
        org.create_user("Percy 100%", "percy_p@example.com", {"employee"})
        from trainer.extensions import db
        db.session.commit()
    login_as("ada")
    first = client.get("/admin/users").text
    assert "1–25 of 39" in first and 'href="/admin/users?page=2">Next' in first
    second = client.get("/admin/users?page=2").text
    assert "26–39 of 39" in second and "Zed Person 29" in second
    assert "Zed Person 29" not in first
    assert "1–1 of 1" in client.get("/admin/users?q=%25").text  # only Percy has a %
    assert "1–1 of 1" in client.get("/admin/users?q=_").text  # only percy_p has an _
    nobody = client.get("/admin/users?q=nobody-like-this").text
    assert 'Show everyone</a>' in nobody
    assert client.get("/admin/users?page=%C2%B2").status_code == 200  # read as page 1
    duplicate = client.post("/admin/users", data={"name": "Ann Again", "email": "ann@example.com",
                                                  "team": "0", "roles": "employee"})
    page = duplicate.text
    assert duplicate.status_code == 422
    assert page.index("Nobody was added") < page.index("<table")  # at the top, in view
    assert '<a href="#add-person">Go to the form and its errors</a>' in page
