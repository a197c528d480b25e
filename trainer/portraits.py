"""Portraits drawn for the project: an SVG face from a character's features and mood.

No image files and no external images: every face is made here from a few shapes, so it
scales, prints, passes the content policy (SVG attributes only, no style) and can be changed
by a scenario's author through the features in its header (trainer.engine.cast.FEATURES).
Features the author leaves out are chosen from the character's name, so the same character
always looks the same."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from markupsafe import Markup, escape

from trainer.engine.cast import FEATURES
from trainer.engine.model import Character

MOODS = ("calm", "uneasy", "angry", "relieved")
SKIN = {1: "#f7dcc9", 2: "#efc3a4", 3: "#d9a07a", 4: "#b97953", 5: "#8c5638", 6: "#5f3a26"}
HAIR = {"black": "#1f1b1a", "brown": "#5b3a24", "auburn": "#8e3b1f", "blonde": "#d6b36a",
        "grey": "#9a9a9a", "white": "#e4e2dc"}
TOP = {"blue": "#2f5fa8", "green": "#2f7d4f", "red": "#b3382f", "grey": "#6b7280",
       "navy": "#1f2f57", "teal": "#1f7a7a", "purple": "#6b3f8f", "orange": "#c46a1c"}
BACKGROUND = {"customer": "#e8eef8", "colleague": "#eef3ea", "manager": "#f3eee6",
              "other": "#f1ecf4"}
INK = "#2b2320"


def features(character: Character) -> dict:
    """The author's features, the rest chosen from the name (stable across runs)."""
    digest = hashlib.sha256(character.name.encode()).digest()
    chosen = {}
    for index, (name, values) in enumerate(FEATURES.items()):
        pick = values[digest[index] % len(values)]
        if name in ("glasses", "beard"):
            pick = digest[index] % 4 == 0  # one face in four
        chosen[name] = pick
    if chosen["hair"] == "none" and digest[10] % 2:
        chosen["hair"] = "short"  # bald is rarer than a one-in-seven draw
    return chosen | character.portrait


def mood_of(trust: int | None, ending_kind: str | None = None) -> str:
    """The customer's mood: relieved at a good ending, angry at a bad one, else the trust
    meter's (calm from 50, where most scenarios start; uneasy from 25; angry below)."""
    if ending_kind == "good":
        return "relieved"
    if ending_kind == "bad":
        return "angry"
    if trust is None or trust >= 50:
        return "calm"
    return "uneasy" if trust >= 25 else "angry"


def portrait(character: Character, mood: str = "calm", size: int = 96) -> Markup:
    """The character's face as inline SVG, described for screen readers."""
    look = features(character)
    return _draw(tuple(sorted(look.items())), character.role, mood, size,
                 f"{character.name}, {mood}")


@lru_cache(maxsize=512)
def _draw(look: tuple, role: str, mood: str, size: int, label: str) -> Markup:
    f = dict(look)
    skin, hair = SKIN[f["skin"]], HAIR[f["hair_colour"]]
    parts = [f'<circle cx="50" cy="50" r="50" fill="{BACKGROUND.get(role, "#eef0f3")}"/>']
    if f["hair"] in ("long", "ponytail"):
        parts.append(f'<path d="M26 46 Q24 84 36 88 L64 88 Q76 84 74 46 Z" fill="{hair}"/>')
    parts.append(f'<path d="M16 100 Q18 78 50 76 Q82 78 84 100 Z" fill="{TOP[f["top"]]}"/>')
    parts.append(f'<rect x="43" y="62" width="14" height="16" rx="4" fill="{skin}"/>')
    parts.append(f'<ellipse cx="50" cy="46" rx="21" ry="25" fill="{skin}"/>')
    parts.append(_hair(f["hair"], hair))
    if f["beard"]:
        parts.append(f'<path d="M29 50 Q30 74 50 76 Q70 74 71 50 Q68 64 59 67 L41 67 '
                     f'Q32 64 29 50 Z" fill="{hair}"/>')
    parts.append(_face(mood))
    if f["glasses"]:
        parts.append(f'<g fill="none" stroke="{INK}" stroke-width="1.6"><circle cx="41" cy="46" '
                     f'r="6.5"/><circle cx="59" cy="46" r="6.5"/><path d="M47.5 46 H52.5"/></g>')
    body = "".join(parts)
    return Markup(f'<svg class="portrait mood-{mood}" role="img" aria-label="{escape(label)}" '
                  f'viewBox="0 0 100 100" width="{size}" height="{size}">{body}</svg>')


def _hair(style: str, colour: str) -> str:
    shapes = {
        "short": "M29 44 Q28 20 50 19 Q72 20 71 44 Q66 30 50 30 Q34 30 29 44 Z",
        "cropped": "M31 38 Q33 21 50 21 Q67 21 69 38 Q62 28 50 28 Q38 28 31 38 Z",
        "long": "M27 50 Q25 18 50 18 Q75 18 73 50 Q70 30 50 29 Q30 30 27 50 Z",
        "ponytail": "M28 44 Q27 19 50 18 Q73 19 72 44 Q66 29 50 29 Q34 29 28 44 Z",
        "bun": "M29 42 Q28 20 50 20 Q72 20 71 42 Q66 30 50 30 Q34 30 29 42 Z",
        "curly": "",
        "none": "",
    }
    if style == "curly":
        dots = [(32, 34), (38, 25), (47, 21), (56, 21), (64, 26), (69, 35), (30, 43), (70, 43)]
        return "".join(f'<circle cx="{x}" cy="{y}" r="8" fill="{colour}"/>' for x, y in dots)
    extra = f'<circle cx="50" cy="15" r="8" fill="{colour}"/>' if style == "bun" else ""
    return extra + (f'<path d="{shapes[style]}" fill="{colour}"/>' if shapes[style] else "")


def _face(mood: str) -> str:
    """Brows, eyes and mouth: the mood is in these."""
    brows = {
        "calm": ("M35 37 Q41 35 46 37", "M54 37 Q59 35 65 37"),
        "uneasy": ("M35 38 Q41 36 46 34", "M54 34 Q59 36 65 38"),
        "angry": ("M35 34 Q41 36 47 39", "M53 39 Q59 36 65 34"),
        "relieved": ("M35 36 Q41 32 46 35", "M54 35 Q59 32 65 36"),
    }[mood]
    mouth = {
        "calm": "M42 60 Q50 64 58 60",
        "uneasy": "M42 61 Q46 59 50 61 Q54 63 58 61",
        "angry": "M42 63 Q50 57 58 63",
        "relieved": "M40 58 Q50 68 60 58",
    }[mood]
    if mood == "relieved":  # smiling eyes
        eyes = (f'<path d="M38 47 Q41 44 44 47" fill="none" stroke="{INK}" stroke-width="2"/>'
                f'<path d="M56 47 Q59 44 62 47" fill="none" stroke="{INK}" stroke-width="2"/>')
    else:
        eyes = "".join(f'<ellipse cx="{x}" cy="46" rx="3.8" ry="3" fill="#ffffff"/>'
                       f'<ellipse cx="{x}" cy="46" rx="2.1" ry="2.6" fill="{INK}"/>'
                       for x in (41, 59))
    lines = "".join(f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="2.2" '
                    f'stroke-linecap="round"/>' for d in (*brows, mouth))
    return eyes + lines
