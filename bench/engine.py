"""The engine alone on a generated 2,000-node scenario: load, validate (the exhaustive state
walk), the best total again, and the calibration an author's content report runs."""
from __future__ import annotations

import time
from pathlib import Path

from bench.scenarios import layers_for, scenario_text
from trainer.engine import Solver, load_library, parse_scenario, validate
from trainer.engine.calibrate import calibrate

WIDTH = 50  # situations per row once the story has fanned out


def run(nodes: int, principles_dir: Path, repeat: int = 5) -> dict:
    catalogue = set(load_library(principles_dir).principles)
    source = scenario_text("generated-large", layers_for(nodes, WIDTH), WIDTH, seed=11)
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        scenario, problems = parse_scenario(source, "generated-large.md")
        parsed = time.perf_counter()
        solver = Solver(scenario)
        problems += validate(scenario, catalogue, solver=solver)  # solves every state
        validated = time.perf_counter()
        best = solver.best_points()  # what validate solved, kept
        scored = time.perf_counter()
        fresh = Solver(scenario)
        fresh.best_points()  # the same work from nothing, as a solver made later would do
        runs.append((parsed - began, validated - parsed, scored - validated,
                     time.perf_counter() - scored))
    # The fastest of the runs: the work is deterministic, and on a shared machine the slower
    # runs measure the neighbours.
    load, check, score, again = (min(column) for column in zip(*runs, strict=True))
    began = time.perf_counter()
    calibration = calibrate(scenario, 75)  # sampled: far too many paths to walk one by one
    calibrated = time.perf_counter() - began
    return {"nodes": len(scenario.nodes), "decisions": scenario.decisions,
            "decisions_per_path": layers_for(nodes, WIDTH) - 1,
            "states_explored": solver.states_explored(), "best_points": best,
            "problems": [str(p) for p in problems], "load_s": round(load, 3),
            "validate_s": round(check, 3), "best_score_s": round(score, 3),
            "best_score_fresh_solver_s": round(again, 3),
            "validate_and_score_s": round(check + score, 3),
            "load_validate_score_s": round(load + check + score, 3),
            "calibrate_s": round(calibrated, 3), "calibration": calibration.as_dict()}
