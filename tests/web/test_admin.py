"""The people pages: what an administrator may save about a person."""
import re

import pytest
from probes import database_rows

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
    assert response.status_code == 400
    assert NO_ROLE in response.text
    assert database_rows(app) == before
    # The same form with a role is saved: the missing role was what stopped it.
    assert client.post(url, data=data).status_code == 302
    assert database_rows(app) != before


def test_the_role_boxes_do_not_each_demand_a_tick(client, login_as, people):
    login_as("ada")
    page = client.get(f"/admin/users/{people.ids['cat']}").text
    boxes = re.findall(r'<input[^>]*name="edit-roles"[^>]*>', page)
    assert len(boxes) == 4 and not any("required" in box for box in boxes)


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
