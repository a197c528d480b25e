"""What the play page shows of a situation: who is there, the customer's mood, and the prose
as lines of dialogue (a speaker and what they say) and narration."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from trainer import prose
from trainer.engine.cast import lines_of
from trainer.engine.model import Character, Node, Scenario
from trainer.portraits import mood_of


@dataclass(frozen=True)
class Line:
    speaker: Character | None  # None: narration
    html: Markup


@dataclass(frozen=True)
class Scene:
    customer: Character | None
    mood: str
    lines: list[Line]


def scene_of(scenario: Scenario, node: Node, trust: int | None) -> Scene:
    people = {c.name: c for c in scenario.characters}
    ending = node.ending.kind if node.ending else None
    lines = [Line(people.get(speaker) if speaker else None, prose.render(text))
             for speaker, text in lines_of(node.text, set(people))]
    return Scene(scenario.customer, mood_of(trust, ending), lines)
