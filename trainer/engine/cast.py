"""Who is in a scenario and how the customer reaches the player: the header's `channel` and
`characters`, read and checked with the line of every problem."""
from __future__ import annotations

import re

from trainer.engine.located import LocatedDict, LocatedList
from trainer.engine.model import Character, Problems

CHANNELS = ("phone", "face to face", "chat", "email", "public")
ROLES = ("customer", "colleague", "manager", "other")  # other: family, public, press
MAX_CHARACTERS = 8
# The features a portrait is drawn from, and the values each may take.
FEATURES: dict[str, tuple] = {
    "skin": (1, 2, 3, 4, 5, 6),  # lightest to darkest
    "hair": ("short", "cropped", "long", "bun", "curly", "ponytail", "none"),
    "hair_colour": ("black", "brown", "auburn", "blonde", "grey", "white"),
    "glasses": (True, False),
    "beard": (True, False),
    "top": ("blue", "green", "red", "grey", "navy", "teal", "purple", "orange"),
}
CHARACTER_FIELDS = {"name", "role", "portrait"}


def channel(header: LocatedDict, problems: Problems) -> str:
    value = header.get("channel")
    if value is None:  # optional here (stored versions predate it); content-report asks for it
        return ""
    if value not in CHANNELS:
        problems.add(header.key_lines["channel"], f"channel '{value}' must be one of: "
                                                  + ", ".join(CHANNELS))
        return ""
    return value


def characters(header: LocatedDict, problems: Problems) -> tuple[Character, ...]:
    data = header.get("characters")
    if data is None:  # optional here, like the channel
        return ()
    line = header.key_lines["characters"]
    if not isinstance(data, LocatedList) or not data:
        problems.add(line, "'characters' must be a list of people, each with a name and a role")
        return ()
    if len(data) > MAX_CHARACTERS:
        problems.add(line, f"more than {MAX_CHARACTERS} characters")
    found: list[Character] = []
    for item, item_line in zip(data[:MAX_CHARACTERS], data.item_lines, strict=False):
        character = _character(item, item_line, problems)
        if character is None:
            continue
        if any(c.name == character.name for c in found):
            problems.add(item_line, f"character '{character.name}' is named twice")
            continue
        found.append(character)
    if sum(c.role == "customer" for c in found) > 1:
        problems.add(line, "only one character may be the customer: the one whose mood "
                           "follows the trust meter")
    return tuple(found)


def _character(item, line: int, problems: Problems) -> Character | None:
    if not isinstance(item, LocatedDict):
        problems.add(line, "each character must be a mapping with a name and a role")
        return None
    for key in item:
        if key not in CHARACTER_FIELDS:
            problems.add(item.key_lines[key], f"unknown character field '{key}'")
    name, role = item.get("name"), item.get("role")
    if not isinstance(name, str) or not name.strip() or len(name) > 60 or ":" in name:
        problems.add(line, "a character needs a name: text of at most 60 characters, "
                           "without a colon")
        return None
    if role not in ROLES:
        problems.add(item.key_lines.get("role", line),
                     f"the role of '{name}' must be one of: " + ", ".join(ROLES))
        return None
    return Character(name.strip(), role, _portrait(item, name, problems), line)


def _portrait(item: LocatedDict, name: str, problems: Problems) -> dict:
    data = item.get("portrait")
    if data is None:
        return {}
    if not isinstance(data, LocatedDict):
        problems.add(item.key_lines["portrait"], f"the portrait of '{name}' must be a mapping "
                                                 "of features, e.g. {hair: short, glasses: true}")
        return {}
    portrait = {}
    for key, value in data.items():
        allowed = FEATURES.get(key)
        if allowed is None:
            problems.add(data.key_lines[key], f"unknown portrait feature '{key}' (known: "
                                              + ", ".join(FEATURES) + ")")
        elif value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            problems.add(data.key_lines[key], f"portrait feature '{key}' must be one of: "
                                              + ", ".join(str(v).lower() for v in allowed))
        else:
            portrait[key] = value
    return portrait


# A paragraph that opens with a character's name and a colon is a line of dialogue: "Mr
# Sokolov: Good afternoon." One that opens like a name (one to four capitalised words and a
# colon) but names nobody in the cast is reported, so narration never turns into dialogue.
SPEAKER = re.compile(r"([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}): +(\S.*)", re.S)


def paragraphs(text: str) -> list[tuple[int, str]]:
    """The paragraphs of a situation's prose, each with its first line (0-based, within the
    prose), blank lines between them."""
    found, current, first = [], [], 0
    for number, line in enumerate(text.splitlines()):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            found.append((first, "\n".join(current)))
            current = []
    if current:
        found.append((first, "\n".join(current)))
    return found


def lines_of(text: str, names: set[str]) -> list[tuple[str | None, str]]:
    """The prose as (speaker, text): a character's line, or narration (speaker None)."""
    found = []
    longest_first = sorted(names, key=len, reverse=True)  # "Mrs Nowak" before "Mrs"
    for _, paragraph in paragraphs(text):
        body = paragraph.strip()
        speaker = next((n for n in longest_first if body.startswith(n + ": ")), None)
        if speaker:
            found.append((speaker, body[len(speaker) + 2:].strip()))
        else:
            found.append((None, paragraph))
    return found


def unknown_speakers(text: str, names: set[str]) -> list[tuple[int, str]]:
    """Paragraphs written as a line of dialogue whose speaker is not a character: (line within
    the prose, name)."""
    return [(first, match.group(1)) for first, paragraph in paragraphs(text)
            if (match := SPEAKER.fullmatch(paragraph.strip())) and match.group(1) not in names]
