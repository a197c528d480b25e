"""Re-scoring stored history under the current scoring model, from the stored steps alone.

Works on a plain connection (Core, no session), so that a migration can run it: every step
gets the best and the worst option that was on offer, every finished attempt its score,
verdict and principle results, and every assignment its completion, as if played today.
Running it again changes nothing."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, bindparam, delete, insert, select, update

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
    """Re-score every attempt and recompute every assignment's completion; the counts.

    Written a batch of attempts at a time, each kind of row in one executemany."""
    versions = _Versions(connection)
    attempts = connection.execute(
        select(Attempt.id, Attempt.version_id, Attempt.status, Attempt.ending_kind,
               Attempt.scenario_id, Attempt.percent, Attempt.scoring, Attempt.legacy_percent)
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
        step_rows, attempt_rows, results = [], [], []
        for attempt in batch:
            # Every real play-through has steps; one without (made by hand) is left as it is.
            if steps[attempt.id]:
                _rescore(attempt, steps[attempt.id], versions.get(attempt.version_id),
                         library.pass_mark(attempt.scenario_id), step_rows, attempt_rows,
                         results)
            done += attempt.status == Attempt.FINISHED
        _write(connection, step_rows, attempt_rows, results)
    completions = recompute_completions(connection, library)
    return {"attempts": done, "assignments": completions}


def _rescore(attempt, steps: list, scenario: Scenario, pass_mark: int, step_rows: list,
             attempt_rows: list, results: list) -> None:
    found = []
    for step in steps:
        d = decision_at(scenario, PlayState(step.node_id, dict(step.values_before)),
                        step.choice_id)
        found.append(d)
        step_rows.append({"step": step.id, "best_id": d.best.id, "best": d.best.points,
                          "worst": d.worst.points})
    if attempt.status != Attempt.FINISHED:
        return
    result = score_of(found)
    attempt_rows.append({
        "attempt": attempt.id, "gained": result.gained, "possible": result.possible,
        "new_percent": result.percent, "earned": result.by_principle,
        "model": SCORING_MODEL, "mark": pass_mark,
        "verdict": passes(result.percent, attempt.ending_kind, pass_mark),
        # The first model's figure, kept once: re-scoring again leaves it as it is.
        "legacy": attempt.legacy_percent if attempt.scoring == SCORING_MODEL
        else attempt.percent})
    results += principle_rows(attempt.id, result)


_STEPS = (update(Step).where(Step.id == bindparam("step"))
          .values(best_choice_id=bindparam("best_id"), best_points=bindparam("best"),
                  worst_points=bindparam("worst")))
_ATTEMPTS = (update(Attempt).where(Attempt.id == bindparam("attempt"))
             .values(points=bindparam("gained"), best_points=bindparam("possible"),
                     percent=bindparam("new_percent"),
                     by_principle=bindparam("earned", type_=Attempt.by_principle.type),
                     scoring=bindparam("model"), pass_mark=bindparam("mark"),
                     passed=bindparam("verdict"), legacy_percent=bindparam("legacy")))


def _write(connection: Connection, step_rows: list, attempt_rows: list, results: list) -> None:
    if step_rows:
        connection.execute(_STEPS, step_rows)
    if attempt_rows:
        connection.execute(_ATTEMPTS, attempt_rows)
        connection.execute(delete(AttemptPrinciple).where(
            AttemptPrinciple.attempt_id.in_([row["attempt"] for row in attempt_rows])))
    if results:
        connection.execute(insert(AttemptPrinciple), results)


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
        passed = {sid: first_pass[assignment.user_id, sid] for sid in module.scenarios
                  if (assignment.user_id, sid) in first_pass}
        if module.completed_by(set(passed)):
            completed = assignment.completed_at or max(passed.values())
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
