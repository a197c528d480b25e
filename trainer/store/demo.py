"""The demo organisation a newcomer signs in to: departments, teams, people, assignments,
and progress made by really playing the scenarios (every score is computed by the engine)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from trainer.engine import available_choices
from trainer.extensions import db
from trainer.models import ADMIN, AUTHOR, EMPLOYEE, HR, MANAGER, Assignment, Attempt, User
from trainer.store import assignments, completions, content, org, progress

PASSWORD = "service-demo"  # demo mode only; the README states it
ACCOUNTS = [  # (email, name, roles)
    ("employee@demo.example", "Emma Employee", {EMPLOYEE}),
    ("manager@demo.example", "Marek Manager", {EMPLOYEE, MANAGER}),
    ("hr@demo.example", "Hanna HR", {HR}),
    ("admin@demo.example", "Adam Admin", {ADMIN}),
    ("author@demo.example", "Ava Author", {AUTHOR}),
]
ORGANISATION = {
    "Front desk": ["Reception", "Switchboard"],
    "Customer support": ["Internet support", "Claims"],
    "Sales": ["Showroom", "Key accounts"],
}
FIRST = ["Anna", "Boris", "Chloe", "Dmitri", "Ewa", "Farid", "Greta", "Hugo", "Irina", "Jonas",
         "Kasia", "Leon", "Maria", "Nikolai", "Olga", "Piotr", "Rosa", "Sven", "Tanya", "Viktor"]
LAST = ["Nowak", "Ivanova", "Kowalski", "Smirnov", "Wiśniewska", "Petrov", "Lewandowski",
        "Sokolova", "Zielinski", "Orlova", "Mazur", "Kuznetsov"]
PER_TEAM = 10


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def load(today: date, seed: int = 2026) -> dict[str, int]:
    """Fill an empty database; returns what was made."""
    rng = random.Random(seed)
    teams = [org.team_named(org.department_named(dept), name)
             for dept, names in ORGANISATION.items() for name in names]
    accounts = {email: org.create_user(name, email, roles, password=PASSWORD)
                for email, name, roles in ACCOUNTS}
    accounts["employee@demo.example"].team = teams[0]
    accounts["manager@demo.example"].team = teams[0]
    teams[0].managers.append(accounts["manager@demo.example"])
    people = []
    for index, team in enumerate(teams):
        if index > 0:
            lead = org.create_user(_name(rng), f"lead{index}@demo.example", {EMPLOYEE, MANAGER},
                                   team=team)
            team.managers.append(lead)
        for number in range(PER_TEAM):
            people.append(org.create_user(_name(rng), f"staff{index}{number:02d}@demo.example",
                                          {EMPLOYEE}, team=team,
                                          start_date=today - timedelta(days=rng.randint(5, 700))))
    db.session.commit()
    attempts = _assign_and_play(people, today, rng)
    attempts += _first_week(accounts["employee@demo.example"], today, rng)
    return {"teams": len(teams), "people": len(people) + len(teams) + 2, "attempts": attempts}


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _assign_and_play(people: list[User], today: date, rng: random.Random) -> int:
    modules = content.modules()
    attempts = 0
    for person in people:
        taken = [modules[0]] + rng.sample(modules[1:], k=min(len(modules) - 1, rng.randint(0, 2)))
        for module in taken:
            due = today + timedelta(days=rng.choice([-20, -7, -2, 5, 12, 30]))
            assignments.assign(module, [person], due, None)
        diligence = rng.random()  # how far along this person is
        for module in taken:
            for scenario_id in module.scenarios:
                if rng.random() > diligence:
                    break
                attempts += _play(person, scenario_id, rng, diligence)
    _spread_history(today, rng)
    return attempts


def _first_week(person: User, today: date, rng: random.Random) -> int:
    """The demo employee is mid-way: one scenario passed, one left half-played, and a
    second module not started, so My training shows every state a newcomer meets."""
    modules = content.modules()
    assignments.assign(modules[0], [person], today + timedelta(days=9), None)
    for module in modules[1:2]:
        assignments.assign(module, [person], today + timedelta(days=30), None)
    first, second = modules[0].scenarios[:2]
    _play(person, first, rng, skill=1.0, tries=1)
    attempt = progress.start_attempt(person, content.current(second))
    for _ in range(2):
        choices = available_choices(content.current(second), progress.play_state(attempt))
        progress.record_choice(attempt, attempt.step_count, choices[0].id)
    return 2


def _play(person: User, scenario_id: str, rng: random.Random, skill: float,
          tries: int | None = None) -> int:
    """Play one scenario, sometimes twice; a skilled person mostly picks good options."""
    scenario = content.current(scenario_id)
    tries = tries or 1 + (rng.random() < 0.3)
    for _ in range(tries):
        attempt = progress.start_attempt(person, scenario)
        stop_early = skill < 1 and rng.random() < 0.1  # left unfinished, to be resumed
        while not attempt.finished:
            state = progress.play_state(attempt)
            choices = available_choices(scenario, state)
            best = max(choices, key=lambda c: c.points)  # the best on offer, as scored
            choice = best if rng.random() < skill else rng.choice(choices)
            progress.record_choice(attempt, attempt.step_count, choice.id)
            if stop_early and attempt.step_count >= 2:
                break
    return tries


def _spread_history(today: date, rng: random.Random) -> None:
    """Move the demo's history back over the last weeks, as if played over time."""
    for attempt in db.session.scalars(select(Attempt)):
        shift = timedelta(days=rng.randint(1, 45), minutes=rng.randint(0, 600))
        attempt.started_at -= shift
        if attempt.finished_at:
            attempt.finished_at -= shift
    db.session.flush()
    for assignment in db.session.scalars(select(Assignment)):
        module = content.module(assignment.module_id)
        times = db.session.execute(
            select(func.min(Attempt.started_at), func.max(Attempt.finished_at))
            .where(Attempt.user_id == assignment.user_id,
                   Attempt.scenario_id.in_(module.scenarios))).one()
        if assignment.started_at is not None:
            assignment.started_at = times[0]
        if assignment.completed_at is not None:
            assignment.completed_at = times[1]
            completions.moved(assignment, times[1], module)
    db.session.commit()
