"""The scenario content as plain values: principles, scenarios, nodes, choices, endings."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from trainer.engine.conditions import Condition

TRUST = "trust"
TRUST_MIN, TRUST_MAX = 0, 100
WEIGHT_MIN, WEIGHT_MAX = -3, 3
ENDING_KINDS = ("good", "mixed", "bad")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, with the place it was found."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Problems(list):
    """The problems found in one file, in the order found: how every reader collects them."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def add(self, line: int, message: str) -> None:
        self.append(Problem(self.file, line, message))


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    statement: str
    explanation: str
    source: str


@dataclass(frozen=True)
class Route:
    """Where a choice leads: the first route whose condition holds is taken."""

    target: str
    condition: Condition | None
    line: int


@dataclass(frozen=True)
class Choice:
    id: str  # "c1", "c2", ... in file order; stable while the file is unchanged
    text: str
    routes: tuple[Route, ...]
    feedback: str
    weights: dict[str, int]
    change: dict[str, int]
    set: dict[str, int | bool]
    condition: Condition | None
    line: int
    field_lines: dict[str, int]  # field name -> line, for precise problem reports

    @cached_property  # read for every option of every state the solver explores
    def points(self) -> int:
        return sum(self.weights.values())


@dataclass(frozen=True)
class Ending:
    kind: str  # one of ENDING_KINDS
    title: str


@dataclass(frozen=True)
class Node:
    id: str
    text: str  # Markdown
    choices: tuple[Choice, ...]
    ending: Ending | None
    line: int

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Character:
    """Someone in the story: the customer (whose mood follows trust) or a colleague. The
    portrait is a set of features (trainer.engine.cast.FEATURES); those left out are chosen
    from the name, so every character has a face of its own."""

    name: str
    role: str  # one of cast.ROLES
    portrait: dict[str, str | int | bool]
    line: int


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    role: str
    start: str
    variables: dict[str, int | bool]
    nodes: dict[str, Node]
    real_case: str  # Markdown; empty when the file has none
    file: str
    version: str  # a digest of the file's text
    source: str = field(repr=False, default="")  # the file's text, kept to store versions
    channel: str = ""  # how the customer reaches the player: one of cast.CHANNELS
    characters: tuple[Character, ...] = ()

    @property
    def customer(self) -> Character | None:
        """The character whose mood follows the trust meter, if the header names one."""
        return next((c for c in self.characters if c.role == "customer"), None)

    @property
    def decisions(self) -> int:
        return sum(1 for n in self.nodes.values() if n.choices)

    @property
    def endings(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.ending]

    @property
    def principles_touched(self) -> set[str]:
        return {p for n in self.nodes.values() for c in n.choices for p in c.weights}


@dataclass
class Library:
    """Everything loaded from a scenarios folder: what plays and what does not, and why."""

    principles: dict[str, Principle] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    modules: dict = field(default_factory=dict)  # module id -> Module, from modules.yaml
    pass_marks: dict[str, int] = field(default_factory=dict)  # scenario id -> its pass mark
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # file name -> problems
    problems: list[Problem] = field(default_factory=list)  # every problem, in file order
    default_pass_mark: int = 75  # for a scenario in no module

    def module_of(self, scenario_id: str):
        """The module that holds a scenario (each is in one; the first, if in several)."""
        return next((m for m in self.modules.values() if scenario_id in m.scenarios), None)

    def pass_mark(self, scenario_id: str) -> int:
        """The mark a play-through of this scenario must reach, in any module or none."""
        return self.pass_marks.get(scenario_id, self.default_pass_mark)
