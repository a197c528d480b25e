"""Simulated employees for locust: sign in, then play scenarios to the end as htmx does.

Run by bench/measure.py (`locust --headless`, from the top of the tree: it imports bench);
one class per measured stack: PlayerUser plays (choice submissions are the "choice"
requests), HealthUser asks /healthz.
BENCH_FIRST_PERSON numbers the first synthetic person signed in; BENCH_THINK is seconds
of think time between choices (0: none); BENCH_SCENARIOS the scenario ids played.
"""
from __future__ import annotations

import itertools
import os
import random

from locust import FastHttpUser, constant, task

from bench.pages import OPTION, STEP
from bench.pages import csrf as _csrf

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password")
DOMAIN = os.environ.get("BENCH_DOMAIN", "bench.example")
SCENARIOS = os.environ.get("BENCH_SCENARIOS", "rude-receptionist").split(",")
THINK = float(os.environ.get("BENCH_THINK", "0"))
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}
_people = itertools.count(int(os.environ.get("BENCH_FIRST_PERSON", "1")))


class PlayerUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        page = self.client.get("/login", name="sign-in page")
        number = next(_people)
        response = self.client.post(
            "/login", name="sign in", allow_redirects=False,
            data={"csrf_token": _csrf(page.text), "email": f"person{number:05d}@{DOMAIN}",
                  "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"sign-in failed for person {number}: {response.status_code}")
        self.rng = random.Random(number)

    @task
    def play_a_scenario(self) -> None:
        scenario_id = self.rng.choice(SCENARIOS)
        home = self.client.get(f"/scenarios/{scenario_id}", name="scenario page")
        # The start form is boosted: htmx sends it and gets the play page in the answer.
        started = self.client.post(f"/scenarios/{scenario_id}/attempts", name="start attempt",
                                   data={"csrf_token": _csrf(home.text), "restart": "1"},
                                   headers=BOOSTED)
        attempt = started.headers.get("HX-Push-Url", "").rsplit("/", 1)[-1]
        if started.status_code != 200 or not attempt.isdigit():
            return
        html = started.text
        while True:
            options, step = OPTION.findall(html), STEP.search(html)
            if not options or step is None:
                return  # the debrief: the scenario has ended
            if THINK:
                self._sleep(self.rng.uniform(0.5 * THINK, 1.5 * THINK))
            with self.client.post(f"/attempts/{attempt}/choices", name="choice",
                                  headers={"HX-Request": "true"}, catch_response=True,
                                  data={"csrf_token": _csrf(html), "step": step.group(1),
                                        "choice": self.rng.choice(options)}) as response:
                html = response.text
                if response.status_code != 200 or "nothing new was recorded" in html:
                    response.failure(f"status {response.status_code}")
                    return

    def _sleep(self, seconds: float) -> None:
        import gevent

        gevent.sleep(seconds)


class HealthUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")
