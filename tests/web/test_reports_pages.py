"""The report and team pages lead somewhere: rows link to their team, department, module or
person; long lists come in pages that keep the filters; the team matrix sorts and exports."""
import csv
import html
import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import TODAY, signed_in

from trainer.extensions import db
from trainer.models import Assignment, Attempt, Team, User
from trainer.store import content, org, reports
from trainer.views.reports import PER_PAGE

LATE = TODAY - timedelta(days=3)
LATER = TODAY + timedelta(days=30)


@pytest.fixture
def app(small_app):
    """The app on the small scenarios folder (tests/small_content.py)."""
    return small_app


def give(user_id: int, module_id: str, due=LATE, started: bool = False,
         completed: bool = False, renewal: bool = False) -> None:
    moment = datetime.combine(TODAY - timedelta(days=10), datetime.min.time())
    db.session.add(Assignment(user_id=user_id, module_id=module_id, due_date=due,
                              started_at=moment if started else None,
                              completed_at=moment if completed else None,
                              round_started_at=moment if renewal else None))


def play(user_id: int, scenario_id: str, percent: int) -> None:
    version = content.version_row(content.current(scenario_id))
    db.session.add(Attempt(user_id=user_id, scenario_id=scenario_id, version_id=version.id,
                           seed=1, state={}, status=Attempt.FINISHED, percent=percent,
                           finished_at=datetime.combine(TODAY, datetime.min.time())))


def links(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', page)]


def args(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def table_after(page: str, marker: str) -> str:
    """The first table after `marker` on the page."""
    start = page.index(marker)
    return page[start:page.index("</table>", start)]


# --- every row leads somewhere ---------------------------------------------------------------

@pytest.fixture
def late_work(app, people):
    with app.app_context():
        for short in ("ann", "bob", "cat", "hugo"):  # Hugo is in no team
            give(people.ids[short], "onboarding")
        db.session.commit()
    return people


def test_department_team_module_and_overdue_rows_link_where_they_lead(app, late_work):
    (hugo,) = signed_in(app, "hugo")
    page = hugo.get(f"/reports/?from={(TODAY - timedelta(days=60)).isoformat()}").text
    found = links(page)
    sales, x = late_work.departments["sales"], late_work.teams["x"]
    department = next(u for u in found if args(u).get("department") == [str(sales)])
    # The department's report keeps the period.
    assert urlsplit(department).path == "/reports/"
    assert args(department)["from"] == [(TODAY - timedelta(days=60)).isoformat()]
    for team in late_work.teams.values():
        assert f"/manage/teams/{team}" in found
    assert any(args(u).get("module") == ["onboarding"] and urlsplit(u).path == "/reports/"
               for u in found)
    overdue = table_after(page, 'id="overdue"')
    for short in ("ann", "bob", "cat", "hugo"):
        assert f'href="/manage/people/{late_work.ids[short]}"' in overdue
    # Where the rows lead can be opened: a team page, a person, a narrowed report.
    for url in (f"/manage/teams/{x}", f"/manage/people/{late_work.ids['ann']}", department):
        assert hugo.get(url).status_code == 200
    # A row of no team or department leads nowhere.
    team_table = table_after(page, 'id="by-team"')
    no_team = next(row for row in team_table.split("<tr>") if reports.NO_TEAM in row)
    assert "href" not in no_team
    # The exports are as they were: the ids behind the links are not in them.
    for name, labels in (("department", ["department"]), ("team", ["department", "team"]),
                         ("module", ["module"])):
        header, *rows = csv.reader(io.StringIO(hugo.get(f"/reports/{name}.csv").text))
        assert header == labels + reports.COMPLETION_HEADERS
        assert rows and all(len(row) == len(header) for row in rows), name
    header, *rows = csv.reader(io.StringIO(hugo.get("/reports/overdue.csv").text))
    assert header == reports.OVERDUE_HEADERS and len(rows) == 4
    assert all(len(row) == len(header) for row in rows)


def test_a_department_link_drops_the_team_filter_and_starts_the_lists_again(app, late_work):
    (hugo,) = signed_in(app, "hugo")
    page = hugo.get(f"/reports/?team={late_work.teams['x']}&module=onboarding").text
    # Filtered to team x, only its department's row is left; its link asks for Sales alone.
    department = next(u for u in links(page) if "department" in args(u))
    assert args(department) == {"department": [str(late_work.departments["sales"])],
                                "module": ["onboarding"]}


def test_the_page_shows_the_months_and_who_is_certified(app, late_work):
    (hugo,) = signed_in(app, "hugo")
    page = html.unescape(hugo.get(f"/reports/?as_of={LATER.isoformat()}").text)
    assert f"Certified on {LATER.isoformat()}" in page
    assert TODAY.strftime("%Y-%m") in table_after(page, "/reports/monthly.csv")
    assert page.count("<svg") >= 3  # the month chart beside the other two


# --- long lists in pages ---------------------------------------------------------------------

@pytest.fixture
def many_late(app, people):
    """110 overdue assignments in team x, one in team y."""
    with app.app_context():
        team = db.session.get(Team, people.teams["x"])
        crowd = [User(name=f"Late {n:03d}", email=f"late{n:03d}@example.com", team=team)
                 for n in range(110)]
        db.session.add_all(crowd)
        db.session.flush()
        for n, person in enumerate(crowd):
            give(person.id, "onboarding", due=LATE - timedelta(days=n % 7))
        give(people.ids["bob"], "onboarding")
        db.session.commit()
    return people


def overdue_names(page: str) -> list[str]:
    table = table_after(page, 'id="overdue"')
    return re.findall(r'<th scope="row"><a href="/manage/people/\d+">([^<]+)</a>', table)


def test_the_overdue_list_shows_fifty_a_page_and_its_links_keep_the_filters(app, many_late):
    (hugo,) = signed_in(app, "hugo")
    filters = f"team={many_late.teams['x']}&module=onboarding&to={LATER.isoformat()}"
    everything = list(csv.reader(io.StringIO(hugo.get(f"/reports/overdue.csv?{filters}").text)))
    names = [row[0] for row in everything[1:]]
    assert len(names) == 110  # the export has every one, whatever the page

    page = hugo.get(f"/reports/?{filters}").text
    assert "110 overdue assignments (page 1 of 3" in page
    assert overdue_names(page) == names[:PER_PAGE]
    next_page = next(u for u in links(page) if "overdue_page" in args(u))
    assert args(next_page) == {"team": [str(many_late.teams["x"])], "module": ["onboarding"],
                               "to": [LATER.isoformat()], "overdue_page": ["2"]}
    second = hugo.get(next_page).text
    assert "page 2 of 3" in second
    assert overdue_names(second) == names[PER_PAGE:2 * PER_PAGE]
    last = next(u for u in links(second) if args(u).get("overdue_page") == ["3"])
    assert overdue_names(hugo.get(last).text) == names[2 * PER_PAGE:]
    # Team y's one overdue assignment needs no pages.
    short = hugo.get(f"/reports/?team={many_late.teams['y']}").text
    assert overdue_names(short) == ["Bob Employee"]
    assert "overdue_page" not in short and "team_page" not in short


@pytest.mark.parametrize("asked, shown", [("99", 3), ("0", 1), ("two", 1), ("", 1)])
def test_a_page_out_of_range_shows_the_nearest(app, many_late, asked, shown):
    (hugo,) = signed_in(app, "hugo")
    page = hugo.get(f"/reports/?team={many_late.teams['x']}&overdue_page={asked}")
    assert page.status_code == 200
    assert f"page {shown} of 3" in page.text


def test_the_team_table_pages_when_there_are_more_teams_than_fit(app, people):
    with app.app_context():
        department = org.department_named("Growth")
        for n in range(PER_PAGE + 5):
            team = org.team_named(department, f"Team {n:02d}")
            person = User(name=f"Member {n:02d}", email=f"m{n:02d}@example.com", team=team)
            db.session.add(person)
            db.session.flush()
            give(person.id, "queues", due=LATER)
        db.session.commit()
    (hugo,) = signed_in(app, "hugo")
    page = hugo.get("/reports/?module=queues").text
    team_rows = table_after(page, 'id="by-team"').count("/manage/teams/")
    assert team_rows == PER_PAGE
    second = next(u for u in links(page) if args(u).get("team_page") == ["2"])
    assert args(second)["module"] == ["queues"]
    assert table_after(hugo.get(second).text, 'id="by-team"').count("/manage/teams/") == 5


# --- the team matrix: sorted, and as CSV -----------------------------------------------------

@pytest.fixture
def team_x(app, people):
    """Team x (Mia manages it): one person per status in onboarding, and their scores."""
    ids = {"ann": people.ids["ann"], "mia": people.ids["mia"]}
    with app.app_context():
        team = db.session.get(Team, people.teams["x"])
        for name in ("Dora Done", "Owen Overdue", "Ira Inprogress", "Rita Renewal",
                     "Nina Unassigned"):
            person = User(name=name, email=f"{name.split()[0].lower()}@example.com", team=team)
            db.session.add(person)
            db.session.flush()
            ids[name.split()[0].lower()] = person.id
        give(ids["ann"], "onboarding", due=LATER)  # not started
        give(ids["mia"], "onboarding", due=LATER, started=True)  # in progress, no score yet
        give(ids["dora"], "onboarding", completed=True)
        give(ids["owen"], "onboarding", due=LATE)
        give(ids["ira"], "onboarding", due=LATER, started=True)
        give(ids["rita"], "onboarding", due=LATER, renewal=True)
        give(ids["nina"], "queues", due=LATER)  # queues only
        for short, percent in (("dora", 90), ("owen", 20), ("ira", 55), ("rita", 70),
                               ("ann", 40)):
            play(ids[short], "late-delivery", percent)
        db.session.commit()
    return people


def matrix_names(page: str) -> list[str]:
    table = table_after(page, 'class="matrix"')
    return re.findall(r'<th scope="row"><a href="/manage/people/\d+">([^<]+)</a>', table)


def test_the_matrix_sorts_by_name_status_or_score(app, team_x):
    (mia,) = signed_in(app, "mia")
    url = f"/manage/teams/{team_x.teams['x']}"
    assert matrix_names(mia.get(url).text) == [
        "Ann Employee", "Dora Done", "Ira Inprogress", "Mia Manager", "Nina Unassigned",
        "Owen Overdue", "Rita Renewal"]
    # Status: overdue, renewal due, not started, in progress, completed; not assigned last.
    assert matrix_names(mia.get(f"{url}?sort=status&module=onboarding").text) == [
        "Owen Overdue", "Rita Renewal", "Ann Employee", "Ira Inprogress", "Mia Manager",
        "Dora Done", "Nina Unassigned"]
    # Score: the lowest average best first; no score, and not assigned, last.
    assert matrix_names(mia.get(f"{url}?sort=score&module=onboarding").text) == [
        "Owen Overdue", "Ann Employee", "Ira Inprogress", "Rita Renewal", "Dora Done",
        "Mia Manager", "Nina Unassigned"]


@pytest.mark.parametrize("query", ["sort=status", "sort=score&module=first-contact",
                                   "sort=height&module=onboarding", "module=onboarding"])
def test_a_sort_the_matrix_cannot_do_sorts_by_name(app, team_x, query):
    (mia,) = signed_in(app, "mia")
    page = mia.get(f"/manage/teams/{team_x.teams['x']}?{query}")
    assert page.status_code == 200
    assert matrix_names(page.text)[:2] == ["Ann Employee", "Dora Done"]
    assert '<th scope="col" aria-sort="ascending">Person</th>' in page.text


def test_the_column_headings_link_to_each_sort(app, team_x):
    (mia,) = signed_in(app, "mia")
    x = team_x.teams["x"]
    page = mia.get(f"/manage/teams/{x}?sort=status&module=onboarding").text
    head = page[page.index("<thead>"):page.index("</thead>")]
    found = links(head)
    assert f"/manage/teams/{x}?sort=score&module=onboarding#matrix" in found
    assert f"/manage/teams/{x}?sort=status&module=queues#matrix" in found
    assert f"/manage/teams/{x}#matrix" in found  # back to by name
    assert 'aria-sort="other"' in head  # status is an order of its own


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.text)))


def test_the_matrix_exports_as_csv_with_modules_in_curriculum_order(app, team_x):
    (mia,) = signed_in(app, "mia")
    x = team_x.teams["x"]
    response = mia.get(f"/manage/teams/{x}/matrix.csv")
    assert f'filename="team-{x}-{TODAY.isoformat()}.csv"' in \
        response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == ["Person", "Email",
                      "Onboarding for tests: status", "Onboarding for tests: passed",
                      "Onboarding for tests: average best",
                      "Queues: status", "Queues: passed", "Queues: average best"]
    by_name = {row[0]: row for row in rows}
    assert by_name["Owen Overdue"] == ["Owen Overdue", "owen@example.com", "overdue",
                                       "0 of 2", "20", "not assigned", "", ""]
    assert by_name["Nina Unassigned"][2:] == ["not assigned", "", "", "not started",
                                              "0 of 1", ""]
    assert by_name["Mia Manager"][2:5] == ["in progress", "0 of 2", ""]
    # The export follows the page's order.
    sorted_rows = read_csv(mia.get(f"/manage/teams/{x}/matrix.csv?sort=score"
                                   "&module=onboarding"))[1:]
    assert [row[0] for row in sorted_rows] == matrix_names(
        mia.get(f"/manage/teams/{x}?sort=score&module=onboarding").text)


def test_the_matrix_export_neutralises_formulas(app, people):
    with app.app_context():
        team = db.session.get(Team, people.teams["x"])
        person = User(name="=HYPERLINK(\"http://evil\")", email="evil@example.com", team=team)
        db.session.add(person)
        db.session.flush()
        give(person.id, "onboarding", due=LATER)
        db.session.commit()
    (mia,) = signed_in(app, "mia")
    rows = read_csv(mia.get(f"/manage/teams/{people.teams['x']}/matrix.csv"))
    assert ["'=HYPERLINK(\"http://evil\")", "evil@example.com"] in [row[:2] for row in rows]


@pytest.mark.parametrize("who, team, code", [("mia", "x", 200), ("mia", "y", 404),
                                             ("max", "x", 404), ("hugo", "y", 200),
                                             ("ada", "x", 200), ("ann", "x", 403)])
def test_only_the_teams_leads_may_export_its_matrix(app, people, who, team, code):
    with app.app_context():
        give(people.ids["ann"], "onboarding", due=LATER)
        give(people.ids["bob"], "onboarding", due=LATER)
        db.session.commit()
    member = {"x": "ann@example.com", "y": "bob@example.com"}[team]
    (client,) = signed_in(app, who)
    response = client.get(f"/manage/teams/{people.teams[team]}/matrix.csv")
    assert response.status_code == code
    assert (member in response.text) == (code == 200)


@pytest.mark.parametrize("query", ["to=9999-12-31", "as_of=9999-12-31", "to=0001-01-01",
                                   "from=9999-12-31&to=9999-12-31"])
def test_a_date_no_report_can_cover_is_refused_with_a_message(app, people, query):
    """Found by a user's walk: years like 9999 or 0001 crashed the report (500)."""
    [hugo] = signed_in(app, "hugo")
    page = hugo.get(f"/reports/?{query}")
    assert page.status_code == 200
    assert "is outside the years 1900–2999 a report covers" in page.text
    for name in ("monthly", "certified", "scores", "principles"):
        assert hugo.get(f"/reports/{name}.csv?{query}").status_code == 200
