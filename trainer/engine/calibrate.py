"""Calibration figures for authors: how often a guesser passes, how often one slip fails."""
from __future__ import annotations

import random
from dataclasses import dataclass

from trainer.engine.model import Scenario
from trainer.engine.play import PlayState, advance, available_choices, start
from trainer.engine.score import decision, follow, passes, score_of, share

MAX_RANDOM_PASS_RATE = 10  # percent: a guesser should rarely pass
MIN_ONE_SLIP_PASS_RATE = 60  # percent: one honest slip should usually not fail
MAX_PATHS = 50_000  # beyond this many paths the random pass rate is sampled
SAMPLES = 10_000  # seeded: the same figures every run


@dataclass(frozen=True)
class Calibration:
    id: str
    pass_mark: int
    decisions_min: int
    decisions_max: int
    paths: int | None  # None when there were too many to count one by one
    random_pass_rate: float  # percent of uniformly random play-throughs that pass
    one_slip_pass_rate: float  # percent of best-everywhere-but-once play-throughs that pass
    good_but_failed_paths: int | None  # paths ending well below the pass mark (None: sampled)
    best_every_time_ending: str  # the ending kind of taking the best option everywhere

    def warnings(self) -> list[str]:
        found = []
        if self.random_pass_rate > MAX_RANDOM_PASS_RATE:
            found.append(f"{self.random_pass_rate:.1f}% of random play-throughs pass at pass "
                         f"mark {self.pass_mark} (aim for at most {MAX_RANDOM_PASS_RATE}%)")
        if self.one_slip_pass_rate < MIN_ONE_SLIP_PASS_RATE:
            found.append(f"only {self.one_slip_pass_rate:.1f}% of play-throughs with one slip "
                         f"pass at pass mark {self.pass_mark} "
                         f"(aim for at least {MIN_ONE_SLIP_PASS_RATE}%)")
        return found

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def calibrate(scenario: Scenario, pass_mark: int, max_paths: int = MAX_PATHS,
              samples: int = SAMPLES) -> Calibration:
    low, high = decision_range(scenario)
    walked = _every_path(scenario, pass_mark, max_paths)
    if walked is None:
        paths, good_failed = None, None
        random_rate = _sampled_pass_rate(scenario, pass_mark, samples)
    else:
        paths, random_rate, good_failed = walked
    best, ending = follow(scenario)
    slips = []
    for index, d in enumerate(best):
        for option in d.offered:
            if option.points < d.best.points:
                found, end = follow(scenario, {index: option})
                slips.append(_passes(scenario, found, end, pass_mark))
    slip_rate = 100.0 * sum(slips) / len(slips) if slips else 100.0
    return Calibration(scenario.id, pass_mark, low, high, paths, round(random_rate, 1),
                       round(slip_rate, 1), good_failed,
                       scenario.nodes[ending].ending.kind)


def _passes(scenario: Scenario, found: list, end: str, pass_mark: int) -> bool:
    return passes(score_of(found).percent, scenario.nodes[end].ending.kind, pass_mark)


def _key(node: str, values: dict) -> tuple:
    return node, tuple(sorted(values.items()))


def decision_range(scenario: Scenario, state: PlayState | None = None) -> tuple[int, int]:
    """The fewest and the most decisions on any path from the start (or from `state`, its
    own decision included) to an ending."""
    memo: dict[tuple, tuple[int, int]] = {}
    initial = state or start(scenario)
    stack = [(initial.node, initial.values)]
    while stack:
        node_id, values = stack[-1]
        key = _key(node_id, values)
        if key in memo:
            stack.pop()
            continue
        if scenario.nodes[node_id].ending is not None:
            memo[key] = (0, 0)
            stack.pop()
            continue
        children = []
        for choice in _offered(scenario, node_id, values):
            children.append(advance(values, choice))
        pending = [child for child in children if _key(*child) not in memo]
        if pending:
            stack.extend(pending)
            continue
        ranges = [memo[_key(*child)] for child in children]
        memo[key] = (1 + min(r[0] for r in ranges), 1 + max(r[1] for r in ranges))
        stack.pop()
    return memo[_key(initial.node, initial.values)]


def _offered(scenario: Scenario, node_id: str, values: dict):
    return available_choices(scenario, PlayState(node_id, values))


def _every_path(scenario: Scenario, pass_mark: int, max_paths: int):
    """Every path once: (paths, percent of random play-throughs passing, good-but-failed
    paths); None when there are more than `max_paths`."""
    initial = start(scenario)
    # (node, values, gained, possible, probability)
    stack = [(initial.node, initial.values, 0, 0, 1.0)]
    paths = good_failed = 0
    passing = 0.0
    while stack:
        node_id, values, gained, possible, chance = stack.pop()
        ending = scenario.nodes[node_id].ending
        if ending is not None:
            paths += 1
            if paths > max_paths:
                return None
            ok = passes(share(gained, possible), ending.kind, pass_mark)
            passing += chance if ok else 0.0
            good_failed += ending.kind == "good" and not ok
            continue
        offered = _offered(scenario, node_id, values)
        for choice in offered:
            d = decision(offered, choice, node_id)
            stack.append((*advance(values, choice), gained + d.gained,
                          possible + d.possible, chance / len(offered)))
    return paths, 100.0 * passing, good_failed


def _sampled_pass_rate(scenario: Scenario, pass_mark: int, samples: int) -> float:
    rng, passed = random.Random(0), 0
    for _ in range(samples):
        initial, gained, possible = start(scenario), 0, 0
        node_id, values = initial.node, initial.values
        while scenario.nodes[node_id].ending is None:
            offered = _offered(scenario, node_id, values)
            choice = rng.choice(offered)
            d = decision(offered, choice, node_id)
            gained, possible = gained + d.gained, possible + d.possible
            node_id, values = advance(values, choice)
        passed += passes(share(gained, possible), scenario.nodes[node_id].ending.kind,
                         pass_mark)
    return 100.0 * passed / samples
