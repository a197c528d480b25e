"""The scenario engine: load, validate, play and score. Pure Python: no Flask, no database."""
from trainer.engine.library import load_library
from trainer.engine.model import Choice, Ending, Library, Node, Principle, Problem, Scenario
from trainer.engine.modules import Module, parse_modules
from trainer.engine.parse import parse_principles, parse_scenario
from trainer.engine.play import (
    PlayError,
    PlayState,
    apply_choice,
    available_choices,
    is_finished,
    replay,
    shown_order,
    start,
)
from trainer.engine.score import Decision, Score, Solver, best_path, review, score, tally
from trainer.engine.validate import validate

__all__ = [
    "Choice", "Decision", "Ending", "Library", "Module", "Node", "PlayError", "PlayState",
    "Principle", "Problem", "Scenario", "Score", "Solver", "apply_choice", "available_choices",
    "best_path", "is_finished", "load_library", "parse_modules", "parse_principles",
    "parse_scenario", "replay", "review", "score", "shown_order", "start", "tally", "validate",
]
