"""SQL statements per page do not grow with the data: every main page is counted on a small
and on a larger organisation, and any page that needs more statements for more rows (an N+1:
a lazy load per team, person or attempt in a loop) fails here."""
from datetime import date, timedelta

import pytest
from conftest import TEST_DATABASE_URL, TODAY, login, make_app, make_org
from engine_paths import best_worst_mixed
from sqlalchemy import create_engine, event

from trainer.extensions import db
from trainer.models import EMPLOYEE, Attempt, Team, User
from trainer.store import assignments, content, org, progress

# (who looks, url); {finished}, {open} are Ann's attempts, {x} her team, {ann} Ann.
PAGES = [
    ("ann", "/"),
    ("ann", "/scenarios"),
    ("ann", "/attempts/{open}"),  # the play page
    ("ann", "/attempts/{finished}"),  # the debrief
    ("mia", "/manage/"),
    ("hugo", "/manage/"),
    ("hugo", "/manage/teams/{x}"),
    ("hugo", "/manage/people/{ann}"),
    ("hugo", "/manage/people/{ann}/attempts/{finished}"),
    ("hugo", "/reports/"),
    ("hugo", "/reports/overdue.csv"),
    ("hugo", "/reports/team.csv"),
    ("hugo", "/reports/principles.csv"),
]
SMALL, LARGE = 1, 4  # extra teams, people per extra team, and attempts of Ann's per scenario


def grow(app, people, size: int) -> dict[str, int]:
    """Add `size` teams of `size` people (one managed by Mia), assign `size` + 1 modules to
    everyone with some past due, and let everyone play; Ann plays every flagship `size` times and
    2 x `size` other scenarios once."""
    with app.app_context():
        department = org.department_named("Growth")
        mia = db.session.get(User, people.ids["mia"])
        everyone = [db.session.get(User, people.ids[name]) for name in ("ann", "bob", "cat")]
        for t in range(size):
            team = org.team_named(department, f"Team {t}")
            if t == 0:
                team.managers.append(mia)
            for n in range(size):
                everyone.append(org.create_user(f"Person {t}-{n}", f"p{t}-{n}@example.com",
                                                {EMPLOYEE}, team=team))
        db.session.commit()
        for number, module in enumerate(content.modules()[:size + 1]):
            assignments.assign(module, everyone, TODAY + timedelta(days=7), None)
            if number % 2:  # half of them past due, for the overdue lists
                for person in everyone:
                    _move_due(person, module.id, TODAY - timedelta(days=3))
        db.session.commit()
        scenarios = content.library().scenarios
        ann = everyone[0]
        # The debrief counted is of the last: a scenario of the first module, assigned at
        # every size, so both sizes take the same branches (a next step in the module).
        for scenario_id in ("broken-guitar", "rigid-provider", "rude-receptionist"):
            for _ in range(size):
                finished = _play(ann, scenarios[scenario_id], to_the_end=True)
        for scenario_id in sorted(scenarios)[:2 * size]:  # more scenarios, more versions
            _play(ann, scenarios[scenario_id], to_the_end=True)
        for person in everyone[1:]:
            _play(person, scenarios["rude-receptionist"], to_the_end=True)
        open_attempt = _play(ann, scenarios["broken-guitar"], to_the_end=False)
        return {"finished": finished, "open": open_attempt, "x": people.teams["x"],
                "ann": people.ids["ann"]}


def _move_due(person: User, module_id: str, due: date) -> None:
    from trainer.models import Assignment

    found = db.session.query(Assignment).filter_by(user_id=person.id, module_id=module_id).one()
    found.due_date = due


def _play(person: User, scenario, to_the_end: bool) -> int:
    attempt = progress.start_attempt(person, scenario)
    best, _, _ = best_worst_mixed(scenario)
    path = best if to_the_end else best[:2]
    for index, (_, choice_id) in enumerate(path):
        progress.record_choice(db.session.get(Attempt, attempt.id), index, choice_id)
    return attempt.id


def count_statements(app, places: dict[str, int]) -> dict[tuple[str, str], int]:
    """How many SQL statements each page runs, read in full (CSV streams included)."""
    counts, statements = {}, []
    with app.app_context():
        engine = db.engine

    def on_execute(*_args):
        statements.append(1)

    clients = {}
    for who in {who for who, _ in PAGES}:
        clients[who] = app.test_client()
        login(clients[who], who)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for who, url in PAGES:
            statements.clear()
            response = clients[who].get(url.format(**places))
            body = response.get_data()  # a streamed export runs its queries while read
            assert response.status_code == 200, (who, url, response.status_code, body[:200])
            counts[who, url] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return counts


def _drop_shared_database() -> None:
    if TEST_DATABASE_URL:  # both sizes use the one server database, one after the other
        engine = create_engine(TEST_DATABASE_URL)
        db.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    """Statements per page for the small and the larger organisation."""
    result = {}
    for size in (SMALL, LARGE):
        app = make_app(tmp_path_factory.mktemp(f"size{size}"))
        places = grow(app, make_org(app), size)
        result[size] = count_statements(app, places)
        with app.app_context():
            db.engine.dispose()
        _drop_shared_database()
    return result


@pytest.mark.parametrize(("who", "url"), PAGES, ids=[f"{w}:{u}" for w, u in PAGES])
def test_statements_per_page_do_not_grow_with_the_data(counts, who, url):
    small, large = counts[SMALL][who, url], counts[LARGE][who, url]
    assert large <= small, f"{url} as {who}: {small} statements, then {large} with more data"


def test_teams_and_people_really_grew(counts, tmp_path):
    # A guard for the test itself: the larger organisation has more teams, people, attempts.
    app = make_app(tmp_path)
    grow(app, make_org(app), LARGE)
    with app.app_context():
        assert db.session.query(Team).count() == 3 + LARGE
        assert db.session.query(Attempt).count() >= 3 * LARGE + 3 + LARGE * LARGE
