"""What the play page shows of a situation: who is there, the customer's mood, and the prose
as lines of dialogue (a speaker and what they say) and narration."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from trainer import prose
from trainer.engine.cast import lines_of
from trainer.engine.model import Character, Node, Scenario
from trainer.portraits import mood_of

# The customer's mood as the page names it (the mood itself is a key: CSS classes, portraits).
MOOD_NAMES = {"calm": _l("calm"), "uneasy": _l("uneasy"), "angry": _l("angry"),
              "relieved": _l("relieved")}


@dataclass(frozen=True)
class Line:
    speaker: Character | None  # None: narration
    html: Markup


@dataclass(frozen=True)
class Scene:
    customer: Character | None
    mood: str
    lines: list[Line]

    @property
    def mood_name(self) -> str:
        return MOOD_NAMES.get(self.mood, self.mood)


def scene_of(scenario: Scenario, node: Node, trust: int | None) -> Scene:
    people = {c.name: c for c in scenario.characters}
    ending = node.ending.kind if node.ending else None
    lines = [Line(people.get(speaker) if speaker else None, prose.render(text))
             for speaker, text in lines_of(node.text, set(people))]
    return Scene(scenario.customer, mood_of(trust, ending), lines)
