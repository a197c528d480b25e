"""The scenarios the app serves: the loaded folder with the versions authors published in
the browser in place of its files, and every version ever played.

Each process loads the folder once, at start, and lays the publications over it; it looks
for a newer publication at most every PUBLICATIONS_CHECKED_EVERY seconds (at once after a
publication of its own), so a version published in one process plays in all within that time.
"""
from __future__ import annotations

import dataclasses
import time
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.engine import Library, Module, Scenario, load_library, parse_scenario
from trainer.extensions import db
from trainer.models import Publication, ScenarioVersion

_KEY = "trainer.library"
_FOLDER_KEY = "trainer.folder_library"  # the folder alone, as loaded at start
_MARK_KEY = "trainer.publications_seen"  # (newest publication id, when it was looked up)
_VERSIONS_KEY = "trainer.versions"  # ScenarioVersion id: its Scenario
_VERSION_IDS_KEY = "trainer.version_ids"  # (scenario id, version): ScenarioVersion id
PUBLICATIONS_CHECKED_EVERY = 5.0  # seconds


def load_into(app) -> Library:
    """Load and validate the scenarios folder once, at start; problems are logged, not fatal.
    A scenario id that a new file claims stays with the file it was published from."""
    library = load_library(Path(app.config["SCENARIOS_DIR"]), published_files())
    for problem in library.problems:
        app.logger.warning("scenario problem: %s", problem)
    app.extensions[_FOLDER_KEY] = library
    return _lay_publications(app, _newest_publication())


def folder_library() -> Library:
    """The scenarios folder as loaded, without what authors published in the browser."""
    return current_app.extensions[_FOLDER_KEY]


def follow_publications(force: bool = False) -> None:
    """Before a request: serve what was published since this process last looked."""
    app = current_app
    seen, when = app.extensions.get(_MARK_KEY, (None, 0.0))
    if not force and time.monotonic() - when < PUBLICATIONS_CHECKED_EVERY:
        return
    newest = _newest_publication()
    if newest != seen:
        _lay_publications(app, newest)
    else:
        app.extensions[_MARK_KEY] = (newest, time.monotonic())


def _newest_publication() -> int | None:
    return db.session.scalar(select(func.max(Publication.id)))


def _lay_publications(app, newest: int | None) -> Library:
    """The folder's library with each scenario's newest publication in place of its file."""
    library = app.extensions[_FOLDER_KEY]
    if newest is not None:
        latest = select(func.max(Publication.id)).group_by(Publication.scenario_id)
        scenarios = dict(library.scenarios)
        for scenario_id, source, file in db.session.execute(
                select(Publication.scenario_id, ScenarioVersion.source, ScenarioVersion.file)
                .outerjoin(ScenarioVersion, Publication.version_id == ScenarioVersion.id)
                .where(Publication.id.in_(latest))):
            if source is None:  # withdrawn
                scenarios.pop(scenario_id, None)
            else:
                scenarios[scenario_id] = _parse_stored(source, file)
        library = dataclasses.replace(library, scenarios=scenarios)
    app.extensions[_KEY] = library
    app.extensions[_MARK_KEY] = (newest, time.monotonic())
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
    """The id of this scenario version's stored copy, stored now if it never was; each
    process looks it up once it is stored for good (a copy made by this transaction may still
    be rolled back)."""
    stored = stored_version_id(scenario)
    return stored if stored is not None else version_row(scenario).id


def stored_version_id(scenario: Scenario) -> int | None:
    """The id of this version's stored copy, or None when nobody has played or published it
    (looked up only: a page that merely shows a scenario stores nothing)."""
    known = current_app.extensions.setdefault(_VERSION_IDS_KEY, {})
    key = (scenario.id, scenario.version)
    if key not in known:
        stored = db.session.scalar(select(ScenarioVersion.id).filter_by(
            scenario_id=scenario.id, version=scenario.version))
        if stored is None:
            return None
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
