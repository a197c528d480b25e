"""The synthetic organisation: departments, teams, people, assignments, attempts and steps,
made from real play-throughs of the library's scenarios and loaded with bulk inserts.

Attempts are not invented: a pool of play-throughs per scenario is played by the engine (some
best choices, some random ones), scored by it, and every attempt copies one of them (or the
start of one, for attempts left unfinished), so reports read realistic rows.
"""
from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import text
from werkzeug.security import generate_password_hash

from trainer.engine import (
    SCORING_MODEL,
    Library,
    Scenario,
    apply_choice,
    available_choices,
    decision,
    passes,
    score,
    start,
)

PASSWORD = "bench-password"  # every synthetic person's; hashed cheaply, see make_people
DOMAIN = "bench.example"


@dataclass(frozen=True)
class Size:
    employees: int = 10_000
    departments: int = 50
    teams: int = 500
    attempts_per_employee: int = 20

    def scaled(self, factor: float) -> Size:
        return Size(max(20, int(self.employees * factor)), max(2, int(self.departments * factor)),
                    max(4, int(self.teams * factor)), self.attempts_per_employee)


@dataclass
class PlayThrough:
    """One play-through of one scenario, ready to be copied into attempt and step rows."""

    steps: list[tuple]  # node_id, node_text, choice_id, choice_text, feedback, weights,
    #                     values_before, values_after, options_shown, best choice id, best
    #                     and worst points (JSON already dumped)
    states: list[str]  # the attempt's state (JSON) after 0, 1, ... steps
    points: int  # gained above the worst options
    best_points: int  # at stake
    percent: int
    passed: bool
    pass_mark: int
    by_principle: str
    ending_node: str
    ending_kind: str
    principle_rows: list[tuple[str, int, int]]  # principle, gained, at stake


def play_pool(scenario: Scenario, rng: random.Random, size: int,
              pass_mark: int) -> list[PlayThrough]:
    """`size` play-throughs from careless to perfect, scored by the engine."""
    pool = []
    for n in range(size):
        skill = n / max(1, size - 1)
        state, steps, states = start(scenario), [], []
        while scenario.nodes[state.node].ending is None:
            states.append(json.dumps(state.to_dict()))
            offered = available_choices(scenario, state)
            best = max(offered, key=lambda c: c.points)
            choice = best if rng.random() < skill else rng.choice(offered)
            judged = decision(offered, choice, state.node)
            after = apply_choice(scenario, state, choice.id)
            node = scenario.nodes[state.node]
            steps.append((node.id, node.text, choice.id, choice.text, choice.feedback,
                          json.dumps(choice.weights), json.dumps(state.values),
                          json.dumps(after.values), len(offered), judged.best.id,
                          judged.best.points, judged.worst.points))
            state = after
        states.append(json.dumps(state.to_dict()))
        result = score(scenario, list(state.path))
        ending = scenario.nodes[state.node].ending
        pool.append(PlayThrough(
            steps, states, result.gained, result.possible, result.percent,
            passes(result.percent, ending.kind, pass_mark), pass_mark,
            json.dumps(result.by_principle), state.node, ending.kind,
            [(pid, p.gained, p.possible) for pid, p in result.principles.items()]))
    return pool


@dataclass
class Tables:
    """Rows per table, in insert order."""

    rows: dict[str, list[tuple]] = field(default_factory=dict)

    def add(self, table: str, row: tuple) -> None:
        self.rows.setdefault(table, []).append(row)


COLUMNS = {
    "departments": ("id", "name"),
    "teams": ("id", "name", "department_id"),
    "users": ("id", "name", "email", "password_hash", "team_id", "start_date", "active",
              "session_token", "created_at"),
    "user_roles": ("user_id", "role"),
    "team_managers": ("team_id", "user_id"),
    "scenario_versions": ("id", "scenario_id", "version", "file", "title", "source",
                          "created_at"),
    "assignments": ("id", "user_id", "module_id", "due_date", "assigned_by_id", "assigned_at",
                    "started_at", "completed_at"),
    "attempts": ("id", "user_id", "scenario_id", "version_id", "seed", "state", "step_count",
                 "status", "ending_node", "ending_kind", "points", "best_points", "percent",
                 "by_principle", "scoring", "pass_mark", "passed", "started_at",
                 "finished_at"),
    "attempt_principles": ("attempt_id", "principle_id", "earned", "best"),
    "steps": ("id", "attempt_id", "index", "node_id", "node_text", "choice_id", "choice_text",
              "feedback", "weights", "values_before", "values_after", "shown_position",
              "options_shown", "best_choice_id", "best_points", "worst_points", "created_at"),
}
SERIAL = ("departments", "teams", "users", "scenario_versions", "assignments", "attempts",
          "steps")


def email_of(number: int) -> str:
    return f"person{number:05d}@{DOMAIN}"


def organisation(size: Size, library: Library, today: date, seed: int = 5) -> Tables:
    """Departments, teams, people and roles; person 1 of each team manages it; two more
    accounts (hr@, admin@) read the reports."""
    rng, rows = random.Random(seed), Tables()
    # Every account gets the same cheap hash: signing in is not what is measured.
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    now = datetime.combine(today, datetime.min.time())
    for d in range(1, size.departments + 1):
        rows.add("departments", (d, f"Department {d:02d}"))
    for t in range(1, size.teams + 1):
        rows.add("teams", (t, f"Team {t:03d}", (t - 1) % size.departments + 1))
    for n in range(1, size.employees + 1):
        team = (n - 1) % size.teams + 1
        started = today - timedelta(days=rng.randint(60, 730))
        rows.add("users", (n, f"Person {n:05d}", email_of(n), hashed, team, started, True,
                           secrets.token_hex(16), now))
        rows.add("user_roles", (n, "employee"))
        if n <= size.teams:  # the first person placed in each team manages it
            rows.add("user_roles", (n, "manager"))
            rows.add("team_managers", (team, n))
    for offset, role in ((1, "hr"), (2, "admin")):
        n = size.employees + offset
        rows.add("users", (n, role.upper(), f"{role}@{DOMAIN}", hashed, None, None, True,
                           secrets.token_hex(16), now))
        rows.add("user_roles", (n, role))
    for v, scenario in enumerate(sorted(library.scenarios.values(), key=lambda s: s.id), 1):
        rows.add("scenario_versions", (v, scenario.id, scenario.version, scenario.file,
                                       scenario.title, scenario.source, now))
    return rows


@dataclass
class History:
    """Makes every person's assignments, attempts and steps, a batch of people at a time."""

    library: Library
    size: Size
    today: date
    seed: int = 7
    pool_size: int = 60
    next_ids: dict[str, int] = field(default_factory=lambda: {"assignments": 1, "attempts": 1,
                                                               "steps": 1})

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        scenarios = sorted(self.library.scenarios.values(), key=lambda s: s.id)
        self.versions = {s.id: v for v, s in enumerate(scenarios, 1)}
        self.pools = {s.id: play_pool(s, rng, self.pool_size, self.library.pass_mark(s.id))
                      for s in scenarios}
        self.modules = list(self.library.modules.values())
        self.rng = rng

    def person(self, rows: Tables, user_id: int, started: date) -> None:
        rng, modules = self.rng, list(self.modules)
        rng.shuffle(modules)
        clock = datetime.combine(started, datetime.min.time()) + timedelta(hours=9)
        passed: dict[str, datetime] = {}  # scenario -> when first passed
        plan = []
        for module in modules:
            due = started + timedelta(days=rng.randint(14, 400))
            due = min(due, self.today + timedelta(days=rng.randint(7, 60)))
            plan.append((module, due))
        plan.sort(key=lambda item: item[1])
        budget = self.size.attempts_per_employee
        first_play: dict[str, datetime] = {}
        for module, _ in plan:
            for scenario_id in module.scenarios:
                while budget and scenario_id not in passed:
                    budget -= 1
                    clock += timedelta(hours=rng.uniform(0.2, 40))
                    unfinished = budget == 0 and rng.random() < 0.4
                    if self._attempt(rows, user_id, scenario_id, clock, unfinished,
                                     aim=rng.random() < 0.65):
                        passed[scenario_id] = clock
                    first_play.setdefault(scenario_id, clock)
                if not budget:
                    break
        for module, due in plan:
            self._assignment(rows, user_id, module, due, passed, first_play)

    def _attempt(self, rows: Tables, user_id: int, scenario_id: str, when: datetime,
                 unfinished: bool, aim: bool) -> bool:
        """One attempt's rows; whether it passed."""
        pool = self.pools[scenario_id]
        half = len(pool) // 2
        play = self.rng.choice(pool[half:] if aim else pool[:half])
        attempt_id = self.next_ids["attempts"]
        self.next_ids["attempts"] += 1
        taken = self.rng.randint(1, len(play.steps) - 1) if unfinished and len(play.steps) > 1 \
            else len(play.steps)
        finished = taken == len(play.steps)
        for index in range(taken):
            node_id, node_text, choice_id, choice_text, feedback, weights, before, after, \
                shown, best_id, best_points, worst_points = play.steps[index]
            rows.add("steps", (self.next_ids["steps"], attempt_id, index, node_id, node_text,
                               choice_id, choice_text, feedback, weights, before, after,
                               self.rng.randint(1, shown), shown, best_id, best_points,
                               worst_points, when + timedelta(seconds=30 * (index + 1))))
            self.next_ids["steps"] += 1
        end = when + timedelta(seconds=30 * (taken + 1))
        if finished:
            rows.add("attempts", (attempt_id, user_id, scenario_id, self.versions[scenario_id],
                                  self.rng.randrange(2**31), play.states[-1], taken, "finished",
                                  play.ending_node, play.ending_kind, play.points,
                                  play.best_points, play.percent, play.by_principle,
                                  SCORING_MODEL, play.pass_mark, play.passed, when, end))
            for pid, earned, best in play.principle_rows:
                rows.add("attempt_principles", (attempt_id, pid, earned, best))
            return play.passed
        rows.add("attempts", (attempt_id, user_id, scenario_id, self.versions[scenario_id],
                              self.rng.randrange(2**31), play.states[taken], taken,
                              "in_progress", None, None, None, None, None, None, None, None,
                              None, when, None))
        return False

    def _assignment(self, rows: Tables, user_id: int, module, due: date, passed: dict,
                    first_play: dict) -> None:
        assigned = datetime.combine(due - timedelta(days=30), datetime.min.time())
        played = [first_play[s] for s in module.scenarios if s in first_play]
        started_at = min(played) if played else None
        when = [passed[s] for s in module.scenarios if s in passed]
        completed_at = max(when) if len(when) == len(module.scenarios) else None
        rows.add("assignments", (self.next_ids["assignments"], user_id, module.id, due, None,
                                 assigned, started_at, completed_at))
        self.next_ids["assignments"] += 1


# --- loading -------------------------------------------------------------------------------

def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite storage format
    if isinstance(value, date):
        return value.isoformat()
    return value


class Loader:
    """Bulk inserts: executemany in large transactions on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def load(self, rows: Tables) -> None:
        raw = self.engine.raw_connection()
        try:
            for table in COLUMNS:
                batch = rows.rows.get(table)
                if not batch:
                    continue
                began = time.perf_counter()
                if self.dialect == "sqlite":
                    self._sqlite(raw, table, batch)
                else:
                    self._copy(raw, table, batch)
                raw.commit()
                self.seconds[table] = self.seconds.get(table, 0) + time.perf_counter() - began
                self.counts[table] = self.counts.get(table, 0) + len(batch)
        finally:
            raw.close()

    def _sqlite(self, raw, table: str, batch: list[tuple]) -> None:
        columns = COLUMNS[table]
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")  # this loading connection only
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                           ([_sqlite_value(v) for v in row] for row in batch))

    def _copy(self, raw, table: str, batch: list[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in COLUMNS[table])
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)

    def finish(self) -> None:
        """Sequences after explicit ids (PostgreSQL), and fresh planner statistics."""
        began = time.perf_counter()
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                for table in SERIAL:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with self.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        self.seconds["analyze"] = time.perf_counter() - began


def generate(engine, library: Library, size: Size, today: date, batch: int = 1000,
             log=print) -> dict:
    """Fill an empty database; returns counts and seconds per table."""
    loader, began = Loader(engine), time.perf_counter()
    org = organisation(size, library, today)
    loader.load(org)
    pools_began = time.perf_counter()
    history = History(library, size, today)
    pools_seconds = time.perf_counter() - pools_began
    starts = {row[0]: row[5] for row in org.rows["users"] if row[4] is not None}
    people = sorted(starts)
    for first in range(0, len(people), batch):
        rows = Tables()
        for user_id in people[first:first + batch]:
            history.person(rows, user_id, starts[user_id])
        loader.load(rows)
        if (first // batch) % 2 == 0:
            log(f"  {first + batch} of {len(people)} people, "
                f"{history.next_ids['steps'] - 1} steps, {time.perf_counter() - began:.0f} s")
    loader.finish()
    return {"rows": loader.counts, "insert_seconds": {k: round(v, 2)
                                                      for k, v in loader.seconds.items()},
            "play_pool_seconds": round(pools_seconds, 2),
            "total_seconds": round(time.perf_counter() - began, 1)}

