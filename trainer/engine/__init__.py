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
from trainer.engine.score import (
    SCORING_MODEL,
    Decision,
    PrincipleScore,
    Score,
    best_path,
    decision,
    decision_at,
    decisions,
    passes,
    score,
    score_of,
)
from trainer.engine.solver import Solver
from trainer.engine.validate import validate

__all__ = [
    "SCORING_MODEL", "Choice", "Decision", "Ending", "Library", "Module", "Node", "PlayError",
    "PlayState", "Principle", "PrincipleScore", "Problem", "Scenario", "Score", "Solver",
    "apply_choice", "available_choices", "best_path", "decision", "decision_at", "decisions",
    "is_finished", "load_library", "parse_modules", "parse_principles", "parse_scenario",
    "passes", "replay", "score", "score_of", "shown_order", "start", "validate",
]
