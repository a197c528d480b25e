"""Re-scoring stored history under the current scoring model, from the stored steps alone.

Works on a plain connection (Core, no session), so that a migration can run it: every step
gets the best and the worst option that was on offer, every finished attempt its score,
verdict and principle results, and every assignment its completion, as if played today.
Running it again changes nothing."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, delete, insert, select, update

from trainer.engine import (
    SCORING_MODEL,
    Library,
    PlayState,
    Scenario,
    decision_at,
    parse_scenario,
    passes,
    score_of,
)
from trainer.models import Assignment, Attempt, AttemptPrinciple, ScenarioVersion, Step

BATCH = 500


def rescore_all(connection: Connection, library: Library) -> dict[str, int]:
    """Re-score every attempt and recompute every assignment's completion; the counts."""
    versions = _Versions(connection)
    attempts = connection.execute(
        select(Attempt.id, Attempt.version_id, Attempt.status, Attempt.ending_kind,
               Attempt.scenario_id, Attempt.percent, Attempt.scoring)
        .order_by(Attempt.id)).all()
    done = 0
    for start in range(0, len(attempts), BATCH):
        batch = attempts[start:start + BATCH]
        steps = defaultdict(list)
        for step in connection.execute(
                select(Step.id, Step.attempt_id, Step.node_id, Step.choice_id,
                       Step.values_before)
                .where(Step.attempt_id.in_([a.id for a in batch])).order_by(Step.index)):
            steps[step.attempt_id].append(step)
        for attempt in batch:
            # Every real play-through has steps; one without (made by hand) is left as it is.
            if steps[attempt.id]:
                _rescore(connection, attempt, steps[attempt.id],
                         versions.get(attempt.version_id),
                         library.pass_mark(attempt.scenario_id))
            done += attempt.status == Attempt.FINISHED
    completions = recompute_completions(connection, library)
    return {"attempts": done, "assignments": completions}


def _rescore(connection: Connection, attempt, steps: list, scenario: Scenario,
             pass_mark: int) -> None:
    found = []
    for step in steps:
        d = decision_at(scenario, PlayState(step.node_id, dict(step.values_before)),
                        step.choice_id)
        found.append(d)
        connection.execute(update(Step).where(Step.id == step.id).values(
            best_choice_id=d.best.id, best_points=d.best.points, worst_points=d.worst.points))
    if attempt.status != Attempt.FINISHED:
        return
    result = score_of(found)
    values = {"points": result.gained, "best_points": result.possible,
              "percent": result.percent, "by_principle": result.by_principle,
              "scoring": SCORING_MODEL, "pass_mark": pass_mark,
              "passed": passes(result.percent, attempt.ending_kind, pass_mark)}
    if attempt.scoring != SCORING_MODEL:  # the first model's figure, kept once
        values["legacy_percent"] = attempt.percent
    connection.execute(update(Attempt).where(Attempt.id == attempt.id).values(**values))
    connection.execute(delete(AttemptPrinciple).where(AttemptPrinciple.attempt_id == attempt.id))
    rows = principle_rows(attempt.id, result)
    if rows:
        connection.execute(insert(AttemptPrinciple), rows)


def principle_rows(attempt_id: int, result) -> list[dict]:
    """An attempt's AttemptPrinciple rows from its Score."""
    return [{"attempt_id": attempt_id, "principle_id": pid, "earned": p.gained,
             "best": p.possible} for pid, p in result.principles.items()]


def recompute_completions(connection: Connection, library: Library) -> int:
    """Every assignment completed exactly when each of its module's scenarios has a passed
    attempt: completed then (the latest of the first passes), or open again; the count
    changed."""
    first_pass = {(user_id, scenario_id): when for user_id, scenario_id, when in
                  connection.execute(select(Attempt.user_id, Attempt.scenario_id,
                                            Attempt.finished_at)
                                     .where(Attempt.passed.is_(True))
                                     .order_by(Attempt.finished_at.desc()))}
    changed = 0
    for assignment in connection.execute(select(Assignment.id, Assignment.user_id,
                                                Assignment.module_id, Assignment.completed_at)):
        module = library.modules.get(assignment.module_id)
        if module is None:
            continue
        passed = [first_pass.get((assignment.user_id, sid)) for sid in module.scenarios]
        if all(passed):
            completed = assignment.completed_at or max(passed)
        else:
            completed = None
        if completed != assignment.completed_at:
            connection.execute(update(Assignment).where(Assignment.id == assignment.id)
                               .values(completed_at=completed))
            changed += 1
    return changed


class _Versions:
    """Stored scenario versions, parsed once each."""

    def __init__(self, connection: Connection):
        self.connection, self.known = connection, {}

    def get(self, version_id: int) -> Scenario:
        if version_id not in self.known:
            source, file = self.connection.execute(
                select(ScenarioVersion.source, ScenarioVersion.file)
                .where(ScenarioVersion.id == version_id)).one()
            scenario, problems = parse_scenario(source, file)
            if scenario is None:
                raise ValueError(f"stored version {version_id} of {file} does not parse: "
                                 f"{problems[:1]}")
            self.known[version_id] = scenario
        return self.known[version_id]
