"""The scenarios the app serves: the loaded folder, and every version ever played."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.engine import Library, Module, Scenario, load_library, parse_scenario
from trainer.extensions import db
from trainer.models import ScenarioVersion

_KEY = "trainer.library"
_VERSIONS_KEY = "trainer.versions"  # ScenarioVersion id: its Scenario
_VERSION_IDS_KEY = "trainer.version_ids"  # (scenario id, version): ScenarioVersion id


def load_into(app) -> Library:
    """Load and validate the scenarios folder once, at start; problems are logged, not fatal.
    A scenario id that a new file claims stays with the file it was published from."""
    library = load_library(Path(app.config["SCENARIOS_DIR"]), published_files())
    for problem in library.problems:
        app.logger.warning("scenario problem: %s", problem)
    app.extensions[_KEY] = library
    return library


def published_files() -> dict[str, str]:
    """Scenario id -> the file its most recently stored version was read from."""
    return {scenario_id: file for scenario_id, file in db.session.execute(
        select(ScenarioVersion.scenario_id, ScenarioVersion.file).order_by(ScenarioVersion.id))}


def library() -> Library:
    return current_app.extensions[_KEY]


def current(scenario_id: str) -> Scenario | None:
    return library().scenarios.get(scenario_id)


def principle_names() -> dict[str, str]:
    return {p.id: p.name for p in library().principles.values()}


def module(module_id: str) -> Module | None:
    return library().modules.get(module_id)


def modules() -> list[Module]:
    return list(library().modules.values())


def version_id(scenario: Scenario) -> int:
    """The id of this scenario version's stored copy; each process looks it up once it is
    stored for good (a copy made by this transaction may still be rolled back)."""
    known = current_app.extensions.setdefault(_VERSION_IDS_KEY, {})
    key = (scenario.id, scenario.version)
    if key not in known:
        stored = db.session.scalar(select(ScenarioVersion.id).filter_by(
            scenario_id=scenario.id, version=scenario.version))
        if stored is None:
            return version_row(scenario).id
        known[key] = stored
    return known[key]


def version_row(scenario: Scenario) -> ScenarioVersion:
    """The stored copy of this scenario version, made the first time it is played."""
    row = db.session.scalar(select(ScenarioVersion).filter_by(
        scenario_id=scenario.id, version=scenario.version))
    if row is None:
        row = ScenarioVersion(scenario_id=scenario.id, version=scenario.version,
                              file=scenario.file, title=scenario.title,
                              source=scenario.source)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # another request stored it first
            row = db.session.scalar(select(ScenarioVersion).filter_by(
                scenario_id=scenario.id, version=scenario.version))
    return row


def scenario_of(version_id: int) -> Scenario:
    """The scenario exactly as it was in a stored version (the current one when unchanged).

    A stored version never changes, so each process looks one up once (per app: a test
    may run several apps on different folders)."""
    known = current_app.extensions.setdefault(_VERSIONS_KEY, {})
    scenario = known.get(version_id)
    if scenario is None:
        row = db.session.get(ScenarioVersion, version_id)
        live = current(row.scenario_id)
        scenario = live if live is not None and live.version == row.version \
            else _parse_stored(row.source, row.file)
        known[version_id] = scenario
    return scenario


@lru_cache(maxsize=64)
def _parse_stored(source: str, file: str) -> Scenario:
    scenario, problems = parse_scenario(source, file)
    if scenario is None or problems:
        raise ValueError(f"a stored version of {file} no longer parses: {problems[:1]}")
    return scenario
