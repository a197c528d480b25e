"""Fixtures: an app on a temporary database, clients, and a way to say who is playing."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from trainer import create_app
from trainer.engine import load_library
from trainer.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
CONTENT = Path(__file__).resolve().parent / "content"
FLAGSHIPS = ["rude-receptionist", "rigid-provider", "broken-guitar"]
# Every scenario id shipped in scenarios/, known at collection so tests can be made per scenario.
SHIPPED = sorted(load_library(SCENARIOS).scenarios)


@pytest.fixture(scope="session")
def library():
    """The shipped scenarios, loaded and validated once."""
    return load_library(SCENARIOS)


# Set to a PostgreSQL URL to run the suite there (its tables are dropped after each test).
TEST_DATABASE_URL = os.environ.get("TRAINER_TEST_DATABASE_URL", "")


def make_app(tmp_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
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
        engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Identity:
    """Says who is playing, as the /who page does."""

    def __init__(self, client):
        self.client = client

    def as_(self, name: str = "Ann Employee", email: str = "ann@example.com"):
        response = self.client.post("/who", data={"name": name, "email": email})
        assert response.status_code == 302, response.text
        return response


@pytest.fixture
def identity(client):
    return Identity(client)
