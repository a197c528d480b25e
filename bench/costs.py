"""What one request of the play loop costs, in-process through Flask's test client: SQL
statements and Python function calls (as cProfile counts them), the same on any machine, and
the CPU time it takes on this one.

The load runs say how fast under load; these say how much work each request is, so a change
can be judged on a noisy machine and the loop's ceiling against the trivial endpoint read off.
Calls and CPU time are taken on alternate requests (a profiled request runs slower). The test
client adds its own work to every request, the same for each kind.
"""
from __future__ import annotations

import cProfile
import pstats
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event

from bench.pages import FLAGSHIPS, OPTION, STEP, csrf
from trainer import create_app
from trainer.extensions import db
from trainer.models import EMPLOYEE
from trainer.store import org

EMAIL, PASSWORD = "player@bench.example", "bench-password"


class Meter:
    """Per request kind: statements seen by the engine, and on alternate requests the calls
    cProfile sees or the CPU time taken."""

    def __init__(self, engine) -> None:
        self.statements = 0
        self.profiling = True
        self.counts: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _statement(self, *_args) -> None:
        self.statements += 1

    def __call__(self, kind: str, request):
        if not self.profiling:
            began = time.thread_time()  # this thread: not the limiter's timer
            try:
                return request()
            finally:
                self.cpu[kind].append(time.thread_time() - began)
        statements, profile = self.statements, cProfile.Profile()
        profile.enable()
        try:
            return request()
        finally:
            profile.disable()
            self.counts[kind].append((self.statements - statements,
                                      pstats.Stats(profile).total_calls))

    def medians(self) -> dict:
        return {kind: {"requests": len(rows) + len(self.cpu[kind]),
                       "sql_statements": statistics.median(s for s, _ in rows),
                       "python_calls": round(statistics.median(c for _, c in rows)),
                       "cpu_ms": round(1000 * statistics.median(self.cpu[kind]), 3)}
                for kind, rows in self.counts.items()}


def run(scenarios_dir: Path, plays: int = 40, seed: int = 5) -> dict:
    """Sign in once and play the flagships at random, like bench/locustfile.py, `plays` times
    profiled and as many timed; between plays, ask the trivial endpoint without and with a
    session."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/costs.db",
                          "SCENARIOS_DIR": str(scenarios_dir), "SECRET_KEY": "bench-only",
                          "LOGIN_LIMIT_PER_ADDRESS": "100000/minute",
                          "LOGIN_LIMIT_PER_ACCOUNT": "100000/minute"})
        with app.app_context():
            org.create_user("Bench Player", EMAIL, {EMPLOYEE}, password=PASSWORD)
            db.session.commit()
            meter = Meter(db.engine)
        anonymous, player, rng = app.test_client(), app.test_client(), random.Random(seed)
        page = player.get("/login").text
        player.post("/login", data={"csrf_token": csrf(page), "email": EMAIL,
                                    "password": PASSWORD})
        for turn in range(2 * plays):
            meter.profiling = turn % 2 == 0
            meter("trivial endpoint, no session", lambda: anonymous.get("/healthz"))
            meter("trivial endpoint, signed in", lambda: player.get("/healthz"))
            _play(player, rng.choice(FLAGSHIPS), rng, meter)
        with app.app_context():
            db.engine.dispose()
    return meter.medians()


def _play(client, scenario_id: str, rng: random.Random, meter: Meter) -> None:
    home = meter("scenario page", lambda: client.get(f"/scenarios/{scenario_id}")).text
    started = meter("start attempt", lambda: client.post(
        f"/scenarios/{scenario_id}/attempts", data={"csrf_token": csrf(home), "restart": "1"},
        headers={"HX-Request": "true", "HX-Boosted": "true"}))
    play_url = started.headers["HX-Push-Url"]
    html = started.text
    while OPTION.search(html):
        data = {"csrf_token": csrf(html), "step": STEP.search(html).group(1),
                "choice": rng.choice(OPTION.findall(html))}
        answer = meter("choice", lambda d=data: client.post(
            f"{play_url}/choices", data=d, headers={"HX-Request": "true"}))
        if answer.status_code != 200:
            raise RuntimeError(f"a choice was refused: {answer.status_code}")
        html = answer.text
