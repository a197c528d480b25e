"""HR's reports, checked figure by figure against a plain count of a random organisation."""
import csv
import html
import io
import random
import re
from collections import Counter, defaultdict
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from conftest import PASSWORD, TODAY, login
from small_content import MODULES, SCENARIO_IDS

from trainer.extensions import db
from trainer.models import ADMIN, EMPLOYEE, HR, MANAGER, Assignment, Attempt, AttemptPrinciple, User
from trainer.store import assignments, content, org, reports
from trainer.store.reports import NO_DEPARTMENT, NO_TEAM, CompletionRow, Filters
from trainer.views.reports import PER_PAGE

SEED = 20260331
PEOPLE = 120
TEAMS = [("Sales", "Front desk"), ("Support", "Front desk"), ("Sales", "Key accounts"),
         ("Sales", "Showroom"), ("Support", "Claims"), ("Support", "Returns"),
         ("Logistics", "Night shift"), ("Logistics", "Warehouse")]
RETIRED_MODULE = "retired-module"  # assigned once, since removed from modules.yaml
MODULE_IDS = [*MODULES, RETIRED_MODULE]
TITLES = {module_id: title for module_id, (title, _, _) in MODULES.items()}
RETIRED_PRINCIPLE = "retired-principle"


@dataclass
class Person:
    name: str
    email: str
    team: tuple[str, str] | None  # (department, team)


@dataclass
class Given:
    """An assignment as generated."""

    id: int
    user_id: int
    module_id: str
    due: date
    started: datetime | None
    completed: datetime | None


@dataclass
class Played:
    """An attempt as generated, with its per-principle (earned, best) when finished."""

    user_id: int
    scenario_id: str
    status: str
    percent: int | None
    finished_at: datetime | None
    principles: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Organisation:
    department_ids: dict[str, int]
    team_ids: dict[tuple[str, str], int]
    people: dict[int, Person]
    assignments: list[Given]
    attempts: list[Played]


@pytest.fixture
def app(small_app):
    """The app on the small scenarios folder (tests/small_content.py)."""
    return small_app


def _moment(rng: random.Random, day: date) -> datetime:
    """A time on `day`, often on its very first or last second (the filter's edges)."""
    second = rng.choice([0, 86399, rng.randrange(86400), rng.randrange(86400)])
    return datetime.combine(day, time()) + timedelta(seconds=second)


def generate(rng: random.Random) -> Organisation:
    """A random organisation written straight through the models; returned as plain values."""
    teams = {key: org.team_named(org.department_named(key[0]), key[1]) for key in TEAMS}
    people = []
    for number in range(PEOPLE):
        team = rng.choice(TEAMS) if rng.random() > 0.06 else None
        user = User(name=f"Person {number:03d}", email=f"p{number:03d}@example.com",
                    team=teams[team] if team else None, active=rng.random() > 0.1)
        people.append((user, team))
    db.session.add_all(user for user, _ in people)
    db.session.flush()

    rows = []
    for user, _ in people:
        for module_id in rng.sample(MODULE_IDS, rng.randint(0, 3)):
            due = TODAY + timedelta(days=rng.choice([-1, 0, rng.randint(-40, 40)]))
            started = _moment(rng, due - timedelta(days=10)) if rng.random() < 0.6 else None
            completed = started + timedelta(days=1) if started and rng.random() < 0.5 else None
            rows.append(Assignment(user_id=user.id, module_id=module_id, due_date=due,
                                   started_at=started, completed_at=completed))
    db.session.add_all(rows)
    db.session.flush()
    given = [Given(a.id, a.user_id, a.module_id, a.due_date, a.started_at, a.completed_at)
             for a in rows]

    versions = {sid: content.version_row(content.current(sid)).id for sid in SCENARIO_IDS}
    principle_ids = [*content.library().principles, RETIRED_PRINCIPLE]
    played, attempts = [], []
    for user, _ in people:
        open_ones = set()  # the database holds one unfinished attempt per person and scenario
        for _ in range(rng.randint(0, 6)):
            scenario_id = rng.choice(SCENARIO_IDS)
            status = rng.choices([Attempt.FINISHED, Attempt.IN_PROGRESS, Attempt.ABANDONED],
                                 [7, 2, 1])[0]
            if status == Attempt.IN_PROGRESS and scenario_id in open_ones:
                status = Attempt.ABANDONED
            if status == Attempt.IN_PROGRESS:
                open_ones.add(scenario_id)
            attempt = Attempt(user_id=user.id, scenario_id=scenario_id,
                              version_id=versions[scenario_id], seed=rng.randrange(2 ** 31),
                              state={}, status=status)
            record = Played(user.id, scenario_id, status, None, None)
            if status == Attempt.FINISHED:
                attempt.percent = record.percent = rng.choice(
                    [0, 9, 10, 69, 70, 99, 100, rng.randint(0, 100), rng.randint(0, 100)])
                attempt.finished_at = record.finished_at = _moment(
                    rng, TODAY - timedelta(days=rng.randint(0, 40)))
                # (points gained, points possible) at the decisions that touched each.
                record.principles = {pid: (lambda b: (rng.randint(0, b), b))(rng.randint(0, 6))
                                     for pid in rng.sample(principle_ids, rng.randint(1, 3))}
            attempts.append((attempt, record))
            played.append(record)
    db.session.add_all(attempt for attempt, _ in attempts)
    db.session.flush()
    db.session.add_all(AttemptPrinciple(attempt_id=attempt.id, principle_id=pid, earned=earned,
                                        best=best)
                       for attempt, record in attempts
                       for pid, (earned, best) in record.principles.items())
    db.session.commit()
    return Organisation({name: d.id for name, d in
                         ((t.department.name, t.department) for t in teams.values())},
                        {key: team.id for key, team in teams.items()},
                        {user.id: Person(user.name, user.email, team) for user, team in people},
                        given, played)


# --- the independent count -------------------------------------------------------------------

def covers(o: Organisation, f: Filters, user_id: int) -> bool:
    team = o.people[user_id].team
    if f.department_id is not None and (team is None or o.department_ids[team[0]]
                                        != f.department_id):
        return False
    return f.team_id is None or (team is not None and o.team_ids[team] == f.team_id)


def assignments_in(o: Organisation, f: Filters) -> list[Given]:
    return [a for a in o.assignments if covers(o, f, a.user_id)
            and f.module_id in (None, a.module_id)
            and (f.date_from is None or a.due >= f.date_from)
            and (f.date_to is None or a.due <= f.date_to)]


def status(a: Given) -> str:
    if a.completed:
        return assignments.COMPLETED
    if a.due < TODAY:
        return assignments.OVERDUE
    return assignments.IN_PROGRESS if a.started else assignments.NOT_STARTED


def labels(o: Organisation, a: Given, by: str) -> tuple[str, ...]:
    team = o.people[a.user_id].team
    department = team[0] if team else NO_DEPARTMENT
    return {"department": (department,),
            "team": (department, team[1] if team else NO_TEAM),
            "module": (TITLES.get(a.module_id, a.module_id),)}[by]


def expected_completion(o: Organisation, f: Filters, by: str) -> list[CompletionRow]:
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for a in assignments_in(o, f):
        counts[labels(o, a, by)][status(a)] += 1
    return [CompletionRow(key, c.total(), c[assignments.COMPLETED], c[assignments.IN_PROGRESS],
                          c[assignments.NOT_STARTED], c[assignments.OVERDUE])
            for key, c in sorted(counts.items())]


def expected_overdue(o: Organisation, f: Filters) -> list[tuple]:
    late = sorted((a for a in assignments_in(o, f) if not a.completed and a.due < TODAY),
                  key=lambda a: (a.due, o.people[a.user_id].name, a.id))
    rows = []
    for a in late:
        person = o.people[a.user_id]
        department, team = person.team or (NO_DEPARTMENT, NO_TEAM)
        rows.append((person.name, person.email, department, team,
                     TITLES.get(a.module_id, a.module_id), a.due.isoformat(),
                     (TODAY - a.due).days))
    return rows


def finished_in(o: Organisation, f: Filters) -> list[Played]:
    scenarios = MODULES[f.module_id][1] if f.module_id else None
    return [p for p in o.attempts if p.status == Attempt.FINISHED and covers(o, f, p.user_id)
            and (f.date_from is None or p.finished_at.date() >= f.date_from)
            and (f.date_to is None or p.finished_at.date() <= f.date_to)
            and (scenarios is None or p.scenario_id in scenarios)]


def expected_histogram(o: Organisation, f: Filters) -> list[tuple[str, int]]:
    bands = Counter(min(p.percent // 10, 9) for p in finished_in(o, f))
    names = [f"{b * 10}-{b * 10 + 9}%" for b in range(9)] + ["90-100%"]
    return [(name, bands[b]) for b, name in enumerate(names)]


def expected_principles(o: Organisation, f: Filters) -> list[tuple]:
    """(id, name, earned, best, attempts, percent) per principle, weakest first."""
    earned, best, attempts = Counter(), Counter(), Counter()
    for played in finished_in(o, f):
        for pid, (e, b) in played.principles.items():
            earned[pid] += e
            best[pid] += b
            attempts[pid] += 1
    names = content.principle_names()
    rows = [(pid, names.get(pid, pid), earned[pid], best[pid], attempts[pid],
             int(100 * earned[pid] / best[pid] + 0.5) if best[pid] > 0 else 100)
            for pid in attempts]
    # Weakest first; a principle on which nothing was at stake goes last.
    return sorted(rows, key=lambda r: (r[3] <= 0, r[5], r[1]))


def months_of(f: Filters) -> list[tuple[date, date]]:
    """The monthly table's months as (first, last) day counted: the period, by default the
    twelve calendar months up to today."""
    end = f.date_to or TODAY
    year, month = (end.year, end.month - 11) if end.month > 11 else (end.year - 1,
                                                                   end.month + 1)
    start = f.date_from or date(year, month, 1)
    months, first = [], start.replace(day=1)
    while first <= end and start <= end:
        following = (first + timedelta(days=31)).replace(day=1)
        months.append((max(first, start), min(following - DAY, end)))
        first = following
    return months


def expected_monthly(o: Organisation, f: Filters) -> list[tuple]:
    """(month, completions, people, average score) per month: the random organisation keeps
    no completions history, so only the scores count."""
    rows = []
    for first, last in months_of(f):
        scores = [p.percent for p in finished_in(o, Filters(first, last, *astuple(f)[2:]))]
        average = int(sum(scores) / len(scores) + 0.5) if scores else ""
        rows.append((first.strftime("%Y-%m"), 0, 0, average))
    return rows


def principle_rows(f: Filters) -> list[tuple]:
    return [(r.principle.id, r.principle.name, r.earned, r.best, r.attempts, r.percent)
            for r in reports.principles(f)]


# --- the figures -----------------------------------------------------------------------------

DAY = timedelta(days=1)
CASES = {
    "no filter": lambda o: Filters(),
    "period": lambda o: Filters(TODAY - 10 * DAY, TODAY + 5 * DAY),
    "from today": lambda o: Filters(date_from=TODAY),
    "until yesterday": lambda o: Filters(date_to=TODAY - DAY),
    "one day": lambda o: Filters(TODAY - 3 * DAY, TODAY - 3 * DAY),
    "department": lambda o: Filters(department_id=o.department_ids["Support"]),
    "team": lambda o: Filters(team_id=o.team_ids["Sales", "Front desk"]),
    "module": lambda o: Filters(module_id="first-contact"),
    "everything": lambda o: Filters(TODAY - 30 * DAY, TODAY + 30 * DAY,
                                    o.department_ids["Sales"], o.team_ids["Sales", "Showroom"],
                                    "onboarding"),
    "team outside the department": lambda o: Filters(department_id=o.department_ids["Sales"],
                                                     team_id=o.team_ids["Logistics",
                                                                        "Warehouse"]),
    "period ending before it starts": lambda o: Filters(TODAY, TODAY - DAY),
    "no such department": lambda o: Filters(department_id=999999),
}
EMPTY = {"team outside the department", "period ending before it starts", "no such department"}


def test_the_random_organisation_has_every_kind_of_row(app):
    """The generated data must reach every branch the reports have, or the checks prove little."""
    with app.app_context():
        o = generate(random.Random(SEED))
    statuses = Counter(status(a) for a in o.assignments)
    # The completion tables count a renewal as not started or in progress, like any round.
    counted = [s for s in assignments.STATUSES if s != assignments.RENEWAL_DUE]
    assert all(statuses[s] >= 5 for s in counted), statuses
    assert {a.due for a in o.assignments} >= {TODAY, TODAY - DAY}
    no_team = {uid for uid, p in o.people.items() if p.team is None}
    assert no_team & {a.user_id for a in o.assignments}
    assert {a.module_id for a in o.assignments} == set(MODULE_IDS)
    finished = [p for p in o.attempts if p.status == Attempt.FINISHED]
    assert {p.percent for p in finished} >= {0, 9, 10, 99, 100}
    assert {p.finished_at.time() for p in finished} >= {time(0), time(23, 59, 59)}
    assert len(finished) < len(o.attempts)  # in progress and abandoned ones are left out
    earned = [e for p in finished for e, _ in p.principles.values()]
    assert min(earned) == 0 < max(earned)
    assert any(RETIRED_PRINCIPLE in p.principles for p in finished)


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_an_independent_count(app, case):
    with app.app_context():
        o = generate(random.Random(SEED))
        f = CASES[case](o)
        for by in ("department", "team", "module"):
            found = sorted(reports.completion(f, by, TODAY), key=lambda r: r.labels)
            assert found == expected_completion(o, f, by), by
            assert [r.percent for r in found] == \
                [round(100 * r.completed / r.assigned) for r in found]
        overdue = expected_overdue(o, f)
        assert list(reports.overdue(f, TODAY)) == overdue
        assert list(reports.overdue(f, TODAY, limit=5)) == overdue[:5]
        assert reports.overdue_total(reports.completions(f, TODAY)) == len(overdue)
        assert reports.score_histogram(f) == expected_histogram(o, f)
        assert principle_rows(f) == expected_principles(o, f)
        nothing = not (assignments_in(o, f) or finished_in(o, f))
        assert nothing == (case in EMPTY)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_figures_hold_for_other_random_organisations(app, seed):
    with app.app_context():
        o = generate(random.Random(seed))
        f = Filters(date_from=TODAY - 20 * DAY, department_id=o.department_ids["Sales"])
        assert sorted(reports.completion(f, "team", TODAY), key=lambda r: r.labels) == \
            expected_completion(o, f, "team")
        assert list(reports.overdue(f, TODAY)) == expected_overdue(o, f)
        assert reports.score_histogram(f) == expected_histogram(o, f)
        assert principle_rows(f) == expected_principles(o, f)


# --- the pages and the CSV exports -----------------------------------------------------------

def add_staff() -> None:
    """People to sign in as, outside every team: they add no figures."""
    for short, roles in (("hr", {HR}), ("admin", {ADMIN}), ("emp", {EMPLOYEE}),
                         ("boss", {EMPLOYEE, MANAGER})):
        org.create_user(short.title(), f"{short}@example.com", roles, password=PASSWORD)
    db.session.commit()


def query(f: Filters) -> str:
    values = {"from": f.date_from, "to": f.date_to, "department": f.department_id,
              "team": f.team_id, "module": f.module_id}
    return urlencode({k: str(v) for k, v in values.items() if v is not None})


class Tables(HTMLParser):
    """The body rows of every table on a page, as text, with the table's class and links."""

    def __init__(self, page: str):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._table = self._body = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attrs.get("class", ""), "links": [], "rows": []})
            self._table = True
        elif tag == "a" and self._table and "href" in attrs:
            self.tables[-1]["links"].append(attrs["href"].split("?")[0])
        elif tag == "tbody":
            self._body = True
        elif tag == "tr" and self._body:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self._body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"].append(self.tables[-1]["rows"].pop()
                                           + [" ".join("".join(self._cell).split())])
            self._cell = None
        elif tag == "tbody":
            self._body = False
        elif tag == "table":
            self._table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_rows(page: str, name: str) -> list[list[str]]:
    """The rows of one report table as the page shows them (placeholder rows left out)."""
    for table in Tables(page).tables:
        if f"/reports/{name}.csv" in table["links"] or \
                (name == "principles" and "principles" in table["class"].split()):
            return [row for row in table["rows"] if len(row) > 1]
    return []


def as_shown(name: str, row: list[str]) -> list[str]:
    """A CSV row as the page shows the same figures."""
    if name in ("department", "team", "module"):
        return [*row[:-1], f"{row[-1]}%"]
    if name == "principles":
        principle, earned, best, percent, attempts = row
        if int(best) <= 0:  # nothing was at stake on it: no percentage
            percent_shown = "nothing at stake at the decisions played"
        else:
            percent_shown = f"{percent}%"
        return [principle, percent_shown, f"{earned} ({best})", attempts]
    if name == "monthly":
        return [*row[:-1], f"{row[-1]}%" if row[-1] else "–"]
    if name == "certified":  # the page names the day in the table's caption
        return row[:-1]
    return row


def expected_csv(o: Organisation, f: Filters, name: str) -> list[list[str]]:
    if name in ("department", "team", "module"):
        rows = [(*r.labels, r.assigned, r.completed, r.in_progress, r.not_started, r.overdue,
                 r.percent) for r in expected_completion(o, f, name)]
    elif name == "overdue":
        rows = expected_overdue(o, f)
    elif name == "scores":
        rows = expected_histogram(o, f)
    elif name == "monthly":
        rows = expected_monthly(o, f)
    elif name == "certified":  # no completions history: nobody is certified
        rows = [(title, 0, (f.as_of or TODAY).isoformat()) for module_id, title in TITLES.items()
                if f.module_id in (None, module_id)]
    else:
        rows = [(pname, earned, best, percent if best > 0 else "", count)
                for _, pname, earned, best, count, percent in expected_principles(o, f)]
    return [[str(value) for value in row] for row in rows]


HEADERS = {
    "department": ["department", *reports.COMPLETION_HEADERS],
    "team": ["department", "team", *reports.COMPLETION_HEADERS],
    "module": ["module", *reports.COMPLETION_HEADERS],
    "overdue": reports.OVERDUE_HEADERS,
    "scores": reports.SCORE_HEADERS,
    "principles": reports.PRINCIPLE_HEADERS,
    "monthly": reports.MONTHLY_HEADERS,
    "certified": reports.CERTIFIED_HEADERS,
}


def download(client, name: str, query_string: str = "") -> list[list[str]]:
    response = client.get(f"/reports/{name}.csv" + (f"?{query_string}" if query_string else ""))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="{name}-{TODAY.isoformat()}.csv"' in response.headers["Content-Disposition"]
    header, *rows = csv.reader(io.StringIO(response.text))
    assert header == HEADERS[name]
    return rows


@pytest.mark.parametrize("case", ["no filter", "period", "everything", "module",
                                  "period ending before it starts"])
def test_the_page_and_every_csv_export_show_the_same_figures(app, client, case):
    with app.app_context():
        o = generate(random.Random(SEED))
        add_staff()
        f = CASES[case](o)
        expected = {name: expected_csv(o, f, name) for name in reports.TABLES}
    login(client, "hr")
    page = client.get(f"/reports/?{query(f)}")
    assert page.status_code == 200
    total = len(expected_overdue(o, f))
    assert f"{total} overdue assignment" in page.text
    for name in reports.TABLES:
        rows = download(client, name, query(f))
        assert sorted(rows) == sorted(expected[name]), name
        shown = [as_shown(name, row) for row in rows]
        if name == "overdue":
            shown = shown[:PER_PAGE]  # the page shows the oldest 50; the CSV has them all
        assert page_rows(page.text, name) == shown, name


# An unreadable value is dropped with a message; the other filters still count.
BACKWARDS = Filters(date(2026, 3, 31), date(2026, 3, 1))
BAD_FILTERS = {
    "impossible date": ("from=2026-13-01", "'2026-13-01' is not a date like 2026-03-31",
                        Filters()),
    "not a date": ("to=soon", "'soon' is not a date like 2026-03-31", Filters()),
    "word for an id": ("department=sales", "'sales' is not a valid choice", Filters()),
    "negative id": ("team=-1", "'-1' is not a valid choice", Filters()),
    "digit that is no number": ("team=²", "'²' is not a valid choice", Filters()),
    "id too large for the database": ("department=" + "9" * 30, "is not a valid choice",
                                      Filters()),
    "undecodable byte": ("team=%FF", "is not a valid choice", Filters()),
    "unknown module": ("module=no-such-module", "There is no module 'no-such-module'",
                       Filters()),
    "bad date beside a good one": ("from=2026-13-01&module=queues", "is not a date",
                                   Filters(module_id="queues")),
    "period backwards": ("from=2026-03-31&to=2026-03-01", "The period ends before it starts",
                         BACKWARDS),
    # Found on a user's walk: these gave empty tables and not a word.
    "team that does not exist": ("team=999", "There is no such team", Filters()),
    "department that does not exist": ("department=999", "There is no such department",
                                       Filters()),
}


def test_a_team_outside_the_chosen_department_is_explained(app, client):
    with app.app_context():
        generate(random.Random(SEED))
        add_staff()
        teams = {t.name: t for t in org.all_teams()}
        departments = {d.id: d.name for d in org.all_departments()}
        team = next(iter(teams.values()))
        other = next(d for d in departments if d != team.department_id)
    login(client, "hr")
    page = html.unescape(client.get(f"/reports/?department={other}&team={team.id}").text)
    assert (f"The team {team.name} is in {departments[team.department_id]}, not in "
            f"{departments[other]}; no rows can match both.") in page


@pytest.mark.parametrize("query_string, message, kept", BAD_FILTERS.values(),
                         ids=BAD_FILTERS.keys())
def test_a_bad_filter_value_gives_a_message_not_an_error(app, client, query_string, message,
                                                         kept):
    with app.app_context():
        o = generate(random.Random(SEED))
        add_staff()
        expected = {name: expected_csv(o, kept, name) for name in reports.TABLES}
    login(client, "hr")
    page = client.get(f"/reports/?{query_string}")
    assert page.status_code == 200
    assert message in html.unescape(page.text)
    for name in reports.TABLES:
        assert sorted(download(client, name, query_string)) == sorted(expected[name]), name


def test_an_unknown_table_is_not_found(app, client):
    with app.app_context():
        add_staff()
    login(client, "hr")
    for name in ("nope", "TEAM", "overdue.csv", "table"):
        assert client.get(f"/reports/{name}.csv").status_code == 404


@pytest.mark.parametrize("who, code", [("emp", 403), ("boss", 403), ("hr", 200), ("admin", 200)])
def test_only_hr_and_admins_see_the_reports(app, client, who, code):
    with app.app_context():
        add_staff()
    login(client, who)
    assert client.get("/reports/").status_code == code
    for name in reports.TABLES:
        assert client.get(f"/reports/{name}.csv").status_code == code


def test_the_reports_count_overdue_against_the_apps_today(tmp_path):
    """Every view takes today from trainer/clock.py: fixed by the config, it is used as is."""
    from conftest import make_app
    from small_content import write_content

    later = TODAY + timedelta(days=400)  # every open assignment below is past due by then
    app = make_app(tmp_path, TODAY=later,
                   SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")))
    client = app.test_client()
    with app.app_context():
        o = generate(random.Random(SEED))
        add_staff()
        open_ones = sum(1 for a in o.assignments if a.completed is None)
    login(client, "hr")
    assert f"{open_ones} overdue assignment" in client.get("/reports/").text
    disposition = client.get("/reports/department.csv").headers["Content-Disposition"]
    assert f"department-{later.isoformat()}.csv" in disposition
    with app.app_context():
        db.engine.dispose()


def test_the_overdue_export_names_its_columns_and_modules_as_the_page_does(app, client):
    """An HR person who downloads the overdue list finds the page's columns, by the page's
    names, and the module's title rather than its id."""
    with app.app_context():
        generate(random.Random(SEED))
        add_staff()
    login(client, "hr")
    page = client.get("/reports/").text
    table = next(t for t in Tables(page).tables if "/reports/overdue.csv" in t["links"])
    export = client.get("/reports/overdue.csv").text.splitlines()
    header = re.findall(r'<th scope="col">([^<]+)</th>',
                        page[page.index("/reports/overdue.csv"):])[:7]
    assert export[0].split(",") == header == reports.OVERDUE_HEADERS
    modules = {row.split(",")[4] for row in export[1:]}
    # A module since removed from modules.yaml has no title left: it keeps its id.
    assert modules & set(TITLES.values()) and modules - {"retired-module"} <= set(TITLES.values())
    assert table["rows"]
