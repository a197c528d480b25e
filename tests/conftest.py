"""Fixtures: an app on a temporary database, clients, and a way to say who is playing."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from trainer import create_app
from trainer.engine import load_library
from trainer.extensions import db
from trainer.models import User

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
CONTENT = Path(__file__).resolve().parent / "content"
FLAGSHIPS = ["rude-receptionist", "rigid-provider", "broken-guitar"]
# Every scenario id shipped in scenarios/, known at collection so tests can be made per scenario.
SHIPPED = sorted(load_library(SCENARIOS).scenarios)


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliResult:
    """The `trainer` command in this process (Click's runner): what a shell would see."""
    from click.testing import CliRunner

    from trainer.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def library():
    """The shipped scenarios, loaded and validated once."""
    return load_library(SCENARIOS)


# Set to a PostgreSQL URL to run the suite there (its tables are dropped after each test).
TEST_DATABASE_URL = os.environ.get("TRAINER_TEST_DATABASE_URL", "")


# The date every test app takes for today (trainer/clock.py): a run that crosses midnight
# keeps one date, so figures worked out here match what the pages show.
TODAY = date.today()


_TEMPLATE: list[Path] = []  # a SQLite database migrated once per run, copied for each test


def migrated_sqlite(path: Path) -> str:
    """A SQLite URL for `path`, a copy of a database already at the newest revision: every
    migration runs once per test run instead of once per test (the migration tests still
    migrate for real)."""
    if not _TEMPLATE:
        import tempfile

        from sqlalchemy import create_engine

        from trainer import schema

        template = Path(tempfile.mkdtemp(prefix="trainer-template-")) / "migrated.db"
        engine = create_engine(f"sqlite:///{template}")
        schema.upgrade(engine)
        engine.dispose()
        _TEMPLATE.append(template)
    if not path.exists():
        shutil.copyfile(_TEMPLATE[0], path)
    return f"sqlite:///{path}"


def make_app(tmp_path: Path, **overrides):
    config = {
        "TESTING": True,
        "TODAY": TODAY,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or migrated_sqlite(tmp_path / "test.db"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,  # tests that check the sign-in limits turn it on
        "SECRET_KEY": "test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast for tests; scrypt in real use
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(autouse=True)
def _empty_shared_database():
    """On a shared server database, every test starts and ends with no tables."""
    yield
    if TEST_DATABASE_URL:
        from sqlalchemy import create_engine

        engine = create_engine(TEST_DATABASE_URL)
        db.metadata.drop_all(engine)
        with engine.begin() as connection:  # so the next app migrates from scratch again
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def small_app(tmp_path):
    """The app on the small scenarios folder of tests/small_content.py: short modules,
    quick to load and to play, unaffected by edits to the shipped scenarios."""
    from small_content import write_content

    app = make_app(tmp_path, SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


PASSWORD = "correct horse battery"


@dataclass
class Org:
    """A small organisation: two departments, three teams, one person per role and more."""

    ids: dict[str, int]  # short name -> user id
    teams: dict[str, int]  # short name -> team id
    departments: dict[str, int]


def make_org(app) -> Org:
    from trainer.models import ADMIN, AUTHOR, EMPLOYEE, HR, MANAGER
    from trainer.store import org

    with app.app_context():
        sales, support = org.department_named("Sales"), org.department_named("Support")
        x, y = org.team_named(sales, "Showroom"), org.team_named(sales, "Key accounts")
        z = org.team_named(support, "Claims")
        people = {
            "ann": ("Ann Employee", {EMPLOYEE}, x), "bob": ("Bob Employee", {EMPLOYEE}, y),
            "cat": ("Cat Employee", {EMPLOYEE}, z), "mia": ("Mia Manager", {EMPLOYEE, MANAGER}, x),
            "max": ("Max Manager", {EMPLOYEE, MANAGER}, y), "hugo": ("Hugo HR", {HR}, None),
            "ada": ("Ada Admin", {ADMIN}, None), "abe": ("Abe Author", {AUTHOR}, None),
        }
        ids = {}
        for short, (name, roles, team) in people.items():
            ids[short] = org.create_user(name, f"{short}@example.com", roles, team=team,
                                         password=PASSWORD).id
        x.managers.append(db.session.get(User, ids["mia"]))
        y.managers.append(db.session.get(User, ids["max"]))
        db.session.commit()
        return Org(ids, {"x": x.id, "y": y.id, "z": z.id},
                   {"sales": sales.id, "support": support.id})


@pytest.fixture
def people(app) -> Org:
    return make_org(app)


def login(client, short: str):
    """Sign in as one of make_org's people (ann, bob, cat, mia, max, hugo, ada, abe)."""
    response = client.post("/login", data={"email": f"{short}@example.com",
                                           "password": PASSWORD})
    assert response.status_code == 302, response.text
    return response


@pytest.fixture
def places(app, people) -> dict[str, object]:
    """A value for every argument of every route (tests/probes.py)."""
    from probes import places as fill

    return fill(app, people)


def signed_in(app, *shorts: str) -> list:
    """A client of its own for each of make_org's people named, each signed in."""
    clients = [app.test_client() for _ in shorts]
    for client, short in zip(clients, shorts, strict=True):
        login(client, short)
    return clients


def app_on_folder(tmp_path: Path, folder: Path, short: str = "ann"):
    """make_app on a scenarios folder of the test's own, make_org's people, and a client
    signed in as one of them: (app, client)."""
    app = make_app(tmp_path, SCENARIOS_DIR=str(folder))
    make_org(app)
    client = app.test_client()
    login(client, short)
    return app, client


@pytest.fixture
def login_as(client, people):
    """login_as("ann"): the test client is now signed in as Ann."""
    return lambda short: login(client, short)
