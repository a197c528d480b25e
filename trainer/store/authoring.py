"""The author's workbench: drafts checked by the validator, publishing and rolling back
versions, and what learners did on a scenario (its map's traffic, the options they chose).

Files in scenarios/ stay the source of shipped content: a publication plays in place of its
scenario's file until another replaces it; rolling back to the file's own version is one more
publication (scenarios/README.md, "Authoring in the browser").
"""
from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from trainer.branchmap import Traffic
from trainer.engine import Problem, Scenario
from trainer.engine.calibrate import Calibration, calibrate
from trainer.engine.library import check_text
from trainer.extensions import db
from trainer.models import (
    Attempt,
    Draft,
    Publication,
    ScenarioVersion,
    Step,
    Team,
    User,
    utcnow,
)
from trainer.store import content
from trainer.store.reports import Filters

PUBLISH, ROLLBACK, WITHDRAW = "publish", "rollback", "withdraw"


@dataclass(frozen=True)
class Checked:
    """A draft as the validator sees it: its scenario (None when it does not parse), every
    problem by line, and, once it has none, the calibration figures."""

    draft: Draft
    scenario: Scenario | None
    problems: list[Problem]
    calibration: Calibration | None

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


def check(draft: Draft) -> Checked:
    library = content.library()
    scenario, problems = check_text(draft.source, draft.file, library)
    calibration = calibrate(scenario, library.pass_mark(scenario.id)) \
        if scenario is not None and not problems else None
    return Checked(draft, scenario, problems, calibration)


def save_draft(author: User, file: str, source: str, draft: Draft | None = None) -> Checked:
    """Keep the text as a draft (a new one, or `draft` changed) with the validator's verdict."""
    if draft is None:
        draft = Draft(file=file, source=source, author_id=author.id)
        db.session.add(draft)
    else:
        draft.source, draft.updated_at = source, utcnow()
    checked = check(draft)
    playing = content.current(checked.scenario.id) if checked.scenario is not None else None
    if playing is not None and playing.file != draft.file:  # named as the scenario's file
        draft.file = playing.file
        checked = check(draft)
    draft.problems = len(checked.problems)
    draft.scenario_id = checked.scenario.id if checked.scenario is not None else ""
    db.session.commit()
    return checked


def open_drafts() -> list[Draft]:
    """Drafts not yet published, the most recently saved first (every author's: an L&D team
    works on them together)."""
    return list(db.session.scalars(select(Draft).where(Draft.published_at.is_(None))
                                   .order_by(Draft.updated_at.desc(), Draft.id.desc())))


def draft(draft_id: int) -> Draft | None:
    return db.session.get(Draft, draft_id)


def delete_draft(found: Draft) -> None:
    db.session.delete(found)
    db.session.commit()


def draft_of(scenario: Scenario, author: User) -> Checked:
    """A new draft holding the text that plays now, to edit."""
    return save_draft(author, scenario.file, scenario.source)


class PublishError(ValueError):
    """Why a draft or version cannot be published; the message says so."""


def publish(checked: Checked, by: User) -> Publication:
    if checked.draft.published_at is not None:
        raise PublishError(gettext("This draft was published already; edit a new copy to "
                                   "change the scenario again."))
    if not checked.ok:  # the same English for one and many; other languages have their forms
        raise PublishError(ngettext("The draft has %(num)d problem(s) to fix first.",
                                    "The draft has %(num)d problem(s) to fix first.",
                                    len(checked.problems)))
    playing = content.current(checked.scenario.id)
    if playing is not None and playing.version == checked.scenario.version:
        raise PublishError(gettext("This text is already what learners play: nothing to "
                                  "publish."))
    version = content.version_row(checked.scenario)
    publication = Publication(scenario_id=checked.scenario.id, version_id=version.id,
                              kind=PUBLISH, draft_id=checked.draft.id, published_by_id=by.id)
    checked.draft.published_at = utcnow()
    db.session.add(publication)
    db.session.commit()
    content.follow_publications(force=True)
    return publication


def roll_back(scenario_id: str, version_id: int, by: User) -> Publication:
    """Put an earlier version back in front of learners, as a new publication."""
    version = db.session.get(ScenarioVersion, version_id)
    if version is None or version.scenario_id != scenario_id:
        raise PublishError(gettext("There is no such version of this scenario."))
    playing = content.current(scenario_id)
    if playing is not None and playing.version == version.version:
        raise PublishError(gettext("That version is already what learners play."))
    publication = Publication(scenario_id=scenario_id, version_id=version.id, kind=ROLLBACK,
                              published_by_id=by.id)
    db.session.add(publication)
    db.session.commit()
    content.follow_publications(force=True)
    return publication


def withdraw(scenario_id: str, by: User) -> Publication:
    """Take a scenario published here off learners' list (its history and attempts stay; a
    draft of its text can publish it again). One a file in scenarios/ holds is rolled back to
    its file instead."""
    if scenario_id in content.folder_library().scenarios:
        raise PublishError(gettext("This scenario comes from a file in scenarios/: roll back "
                                   "to the file instead, or remove the file from the release."))
    publication = Publication(scenario_id=scenario_id, version_id=None, kind=WITHDRAW,
                              published_by_id=by.id)
    db.session.add(publication)
    db.session.commit()
    content.follow_publications(force=True)
    return publication


def withdrawn() -> list[ScenarioVersion]:
    """The last published version of each scenario withdrawn from learners' list."""
    latest = select(func.max(Publication.id)).group_by(Publication.scenario_id)
    gone = select(Publication.scenario_id).where(Publication.id.in_(latest),
                                                 Publication.kind == WITHDRAW)
    last = (select(func.max(ScenarioVersion.id)).where(ScenarioVersion.scenario_id.in_(gone))
            .group_by(ScenarioVersion.scenario_id))
    return list(db.session.scalars(select(ScenarioVersion).where(ScenarioVersion.id.in_(last))
                                   .order_by(ScenarioVersion.title)))


def draft_of_version(version: ScenarioVersion, author: User) -> Checked:
    """A new draft holding a stored version's text (a withdrawn scenario's, to publish again)."""
    return save_draft(author, version.file, version.source)


def file_version(scenario_id: str) -> ScenarioVersion | None:
    """The stored copy of the version the scenarios/ file holds (made here if never played),
    so that rolling back to the file is like rolling back to any version."""
    shipped = content.folder_library().scenarios.get(scenario_id)
    return content.version_row(shipped) if shipped is not None else None


@dataclass(frozen=True)
class VersionLine:
    version: ScenarioVersion
    playing: bool  # what learners play now
    from_file: bool  # the version the scenarios/ file holds
    publications: list[Publication]  # when it was put in front of learners, newest first
    attempts: int


def history(scenario_id: str) -> list[VersionLine]:
    """Every stored version of a scenario, newest first, with its publications."""
    playing = content.current(scenario_id)
    shipped = content.folder_library().scenarios.get(scenario_id)
    versions = list(db.session.scalars(select(ScenarioVersion)
                                       .where(ScenarioVersion.scenario_id == scenario_id)
                                       .order_by(ScenarioVersion.id.desc())))
    published: dict[int, list[Publication]] = defaultdict(list)
    for publication in db.session.scalars(select(Publication)
                                          .where(Publication.scenario_id == scenario_id)
                                          .order_by(Publication.id.desc())):
        published[publication.version_id].append(publication)
    attempts = dict(db.session.execute(
        select(Attempt.version_id, func.count()).where(Attempt.scenario_id == scenario_id)
        .group_by(Attempt.version_id)).all())
    return [VersionLine(v, playing is not None and playing.version == v.version,
                        shipped is not None and shipped.version == v.version,
                        published.get(v.id, []), attempts.get(v.id, 0)) for v in versions]



@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "hunk" or "same"
    text: str


def diff(old: str, new: str, old_name: str, new_name: str) -> list[DiffLine]:
    """The text's changes as a unified diff (three lines of context), line by line."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name,
                                 lineterm="")
    found = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "same")
        found.append(DiffLine(kind, line))
    return found


def version(version_id: int) -> ScenarioVersion | None:
    return db.session.get(ScenarioVersion, version_id)


def _attempts(scenario_id: str, filters: Filters):
    """The ids of a scenario's attempts under the filters (team, department, started in the
    period), as a subquery."""
    query = select(Attempt.id).where(Attempt.scenario_id == scenario_id)
    if filters.people() is not None:
        query = query.where(Attempt.user_id.in_(filters.people()))
    since, until = filters.finished_between()
    if since is not None:
        query = query.where(Attempt.started_at >= since)
    if until is not None:
        query = query.where(Attempt.started_at < until)
    return query


@dataclass(frozen=True)
class MapTraffic:
    traffic: Traffic
    other_versions: int  # attempts under the filters on other versions, not counted


def traffic(scenario: Scenario, filters: Filters) -> MapTraffic:
    """What learners did on this version of the scenario: attempts that reached each
    situation, options taken, and where unfinished attempts stand."""
    version_id = content.stored_version_id(scenario)  # None: never played, so no traffic
    chosen = _attempts(scenario.id, filters)
    here = chosen.where(Attempt.version_id == version_id)
    attempts = db.session.scalar(select(func.count()).select_from(here.subquery()))
    others = db.session.scalar(select(func.count()).select_from(
        chosen.where(Attempt.version_id != version_id).subquery()))
    # Each attempt's path: its steps in order, then where it ended or stands now; an option
    # is counted on the route it took, which is the situation the attempt came to next.
    paths: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for attempt_id, node_id, choice_id in db.session.execute(
            select(Step.attempt_id, Step.node_id, Step.choice_id)
            .where(Step.attempt_id.in_(here)).order_by(Step.attempt_id, Step.index)):
        paths[attempt_id].append((node_id, choice_id))
    last: dict[int, str] = dict(db.session.execute(
        select(Attempt.id, Attempt.ending_node).where(Attempt.id.in_(here),
                                                      Attempt.ending_node.is_not(None))).all())
    quit_at: Counter = Counter()
    for attempt_id, state in db.session.execute(
            select(Attempt.id, Attempt.state).where(Attempt.id.in_(here),
                                                    Attempt.status != Attempt.FINISHED)):
        node_id = state.get("node") if isinstance(state, dict) else None
        if node_id is not None:
            last[attempt_id] = node_id
            quit_at[node_id] += 1
    reached: Counter = Counter()
    taken: Counter = Counter()
    for attempt_id in set(paths) | set(last):
        path = paths.get(attempt_id, [])
        nodes = [node_id for node_id, _ in path]
        end = last.get(attempt_id)
        afters = [*nodes[1:], end][:len(path)]  # an attempt not yet past its start has none
        for (node_id, choice_id), after in zip(path, afters, strict=True):
            if after is not None:
                taken[node_id, choice_id, after] += 1
        reached.update(set(nodes) | ({end} if end is not None else set()))
    return MapTraffic(Traffic(attempts, dict(reached), dict(taken), dict(quit_at)), others)


@dataclass(frozen=True)
class OptionFigures:
    choice_id: str
    text: str
    points: int
    best: bool  # worth as much as the best option of its decision
    chosen: int
    share: int  # percent of the decision's choices
    before: int | None  # percent on the version played before this one (None: not offered)
    by_team: dict[str, tuple[int, int]]  # team name -> (times chosen, percent of the team's)

    @property
    def flag(self) -> str:
        """What an author should look at: a distractor nobody picks, a wrong option most do."""
        if self.chosen == 0:
            return gettext("nobody picks it")
        if not self.best and self.share > 50:
            return gettext("most pick it, and it is not the best")
        return ""


@dataclass(frozen=True)
class DecisionFigures:
    node_id: str
    words: str
    total: int
    total_before: int
    options: list[OptionFigures]


MIN_FOR_FLAGS = 10  # choices at a decision before "nobody picks it" means something


def choice_figures(scenario: Scenario, filters: Filters) -> tuple[list[DecisionFigures],
                                                                   list[str], datetime | None]:
    """Per decision of this version, per option: how often it is chosen, by which team, and
    on the version played before it (options matched by their text). With the team names,
    and when this version was published (None: it is the file's)."""
    version_id = content.stored_version_id(scenario)
    chosen = _attempts(scenario.id, filters)
    previous = db.session.scalar(
        select(ScenarioVersion.id).where(ScenarioVersion.scenario_id == scenario.id,
                                         ScenarioVersion.id < (version_id or 0),
                                         ScenarioVersion.id.in_(select(Attempt.version_id)))
        .order_by(ScenarioVersion.id.desc()).limit(1))
    counts: Counter = Counter()
    for node_id, choice_id, team, count in db.session.execute(
            select(Step.node_id, Step.choice_id, Team.name, func.count())
            .join(Attempt, Attempt.id == Step.attempt_id)
            .join(User, User.id == Attempt.user_id).outerjoin(Team, Team.id == User.team_id)
            .where(Attempt.id.in_(chosen), Attempt.version_id == version_id)
            .group_by(Step.node_id, Step.choice_id, Team.name)):
        counts[node_id, choice_id, team or "(no team)"] += count
    before: Counter = Counter()
    if previous is not None:
        for node_id, text, count in db.session.execute(
                select(Step.node_id, Step.choice_text, func.count())
                .join(Attempt, Attempt.id == Step.attempt_id)
                .where(Attempt.id.in_(chosen), Attempt.version_id == previous)
                .group_by(Step.node_id, Step.choice_text)):
            before[node_id, text.strip()] += count
    teams = sorted({team for _, _, team in counts})
    decisions = []
    for node in scenario.nodes.values():
        if not node.choices:
            continue
        per_choice = {c.id: sum(counts[node.id, c.id, t] for t in teams) for c in node.choices}
        total = sum(per_choice.values())
        team_totals = {t: sum(counts[node.id, c.id, t] for c in node.choices) for t in teams}
        total_before = sum(count for (node_id, _), count in before.items()
                           if node_id == node.id)
        best = max(c.points for c in node.choices)
        options = []
        for choice in node.choices:
            points = choice.points
            was = before.get((node.id, choice.text.strip()))
            options.append(OptionFigures(
                choice.id, choice.text, points, points >= best, per_choice[choice.id],
                _percent(per_choice[choice.id], total),
                _percent(was, total_before) if total_before and was is not None else
                (0 if total_before else None),
                {t: (counts[node.id, choice.id, t],
                     _percent(counts[node.id, choice.id, t], team_totals[t]))
                 for t in teams if team_totals[t]}))
        decisions.append(DecisionFigures(node.id, _first_words(node.text), total, total_before,
                                         options))
    published = db.session.scalar(select(func.max(Publication.published_at)).where(
        Publication.version_id == version_id))
    return decisions, teams, published


def _percent(part: int | None, whole: int) -> int:
    return round(100 * (part or 0) / whole) if whole else 0


def _first_words(text: str, limit: int = 80) -> str:
    plain = " ".join(text.split())
    return plain if len(plain) <= limit else plain[:limit - 1].rstrip() + "…"
