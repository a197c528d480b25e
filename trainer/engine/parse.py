"""Reading content files: scenario Markdown files and the principles catalogue."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from trainer.engine import cast
from trainer.engine.conditions import Condition, ConditionError, parse_condition
from trainer.engine.located import LocatedDict, LocatedList, YamlError, load_located
from trainer.engine.model import (
    ENDING_KINDS,
    TRUST,
    Choice,
    Ending,
    Node,
    Principle,
    Problem,
    Problems,
    Route,
    Scenario,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
REAL_CASE_HEADING = "# What really happened"
HEADER_FIELDS = {"id", "title", "summary", "role", "start", "variables", "channel", "characters"}
CHOICE_FIELDS = {"text", "goto", "feedback", "weights", "change", "set", "if"}
ENDING_FIELDS = {"kind", "title"}
PRINCIPLE_FIELDS = ("id", "name", "statement", "explanation", "source")
DEFAULT_TRUST = 50
# The longest text each field may hold, in characters: a learner reads it on one screen, every
# step stores a copy of its situation and option, and the database keeps ids and titles in
# columns of a fixed width.
TEXT_LIMITS = {"id": 100, "start": 100, "title": 200, "summary": 1_000, "role": 1_000,
               "text": 600, "feedback": 1_500, "kind": 20, "name": 120, "statement": 1_000,
               "explanation": 3_000, "source": 1_000}
MAX_SITUATION = 5_000  # the prose of one situation
MAX_REAL_CASE = 20_000
MAX_SITUATIONS = 5_000
MAX_OPTIONS = 12  # options at one decision


@dataclass
class _Section:
    node_id: str
    line: int
    prose: list[str] = field(default_factory=list)
    blocks: list[tuple[str, int, str]] = field(default_factory=list)  # kind, first line, text


def parse_scenario(text: str, file: str) -> tuple[Scenario | None, list[Problem]]:
    """Parse one scenario file. Returns the scenario (None if unusable) and its problems."""
    problems = Problems(file)
    lines = text.removeprefix("\ufeff").splitlines()  # a byte-order mark is no content
    header, body_start = _front_matter(lines, problems)
    if header is None:
        return None, list(problems)
    sections, real_case = _sections(lines, body_start, problems)
    if len(sections) > MAX_SITUATIONS:
        problems.add(sections[MAX_SITUATIONS].line, f"more than {MAX_SITUATIONS} situations; "
                                                    "split the scenario")
        return None, list(problems)
    if len(real_case) > MAX_REAL_CASE:
        problems.add(next((i + 1 for i, line in enumerate(lines)
                           if line.strip() == REAL_CASE_HEADING), 1),
                     f"the real case is {len(real_case):,} characters long; the limit is "
                     f"{MAX_REAL_CASE:,}")
    nodes: dict[str, Node] = {}
    for section in sections:
        if section.node_id in nodes:
            problems.add(section.line, f"situation '{section.node_id}' is defined twice "
                                       f"(first at line {nodes[section.node_id].line})")
            continue
        nodes[section.node_id] = _node(section, problems)
    variables = _variables(header, problems)
    characters = cast.characters(header, problems)
    if characters:
        _check_speakers(sections, {c.name for c in characters}, problems)
    scenario = Scenario(
        id=_text_field(header, "id", problems, slug=True),
        title=_text_field(header, "title", problems),
        summary=_text_field(header, "summary", problems),
        role=_text_field(header, "role", problems),
        start=_text_field(header, "start", problems, slug=True),
        variables=variables,
        nodes=nodes,
        real_case=real_case,
        file=file,
        version=hashlib.sha256(text.encode()).hexdigest()[:12],
        source=text,
        channel=cast.channel(header, problems),
        characters=characters,
    )
    for key in header:
        if key not in HEADER_FIELDS:
            problems.add(header.key_lines[key], f"unknown header field '{key}'")
    return scenario, list(problems)


def parse_principles(text: str, file: str) -> tuple[dict[str, Principle], list[Problem]]:
    """Parse the principles catalogue: a YAML list of principles."""
    problems = Problems(file)
    try:
        data, yaml_problems = load_located(text)
    except YamlError as exc:
        problems.add(exc.line, exc.message)
        return {}, list(problems)
    for line, message in yaml_problems:
        problems.add(line, message)
    if not isinstance(data, LocatedList):
        problems.add(1, "the catalogue must be a list of principles")
        return {}, list(problems)
    principles: dict[str, Principle] = {}
    for item, line in zip(data, data.item_lines, strict=True):
        if not isinstance(item, LocatedDict):
            problems.add(line, "each principle must be a mapping of id, name, statement, ...")
            continue
        values = {name: _text_field(item, name, problems) for name in PRINCIPLE_FIELDS}
        for key in item:
            if key not in PRINCIPLE_FIELDS:
                problems.add(item.key_lines[key], f"unknown principle field '{key}'")
        pid = values["id"]
        if pid and not SLUG.fullmatch(pid):
            problems.add(line, f"principle id '{pid}' must be lowercase words joined by hyphens")
        elif pid in principles:
            problems.add(line, f"principle '{pid}' is defined twice")
        elif pid:
            principles[pid] = Principle(**values)
    return principles, list(problems)


def _front_matter(lines: list[str], problems: Problems) -> tuple[LocatedDict | None, int]:
    if not lines or lines[0].strip() != "---":
        problems.add(1, "the file must start with a header between two '---' lines")
        return None, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.add(1, "the header is not closed by a '---' line")
        return None, 0
    header = _yaml("\n".join(lines[1:end]), 2, problems)
    if not isinstance(header, LocatedDict):
        if header is not _UNREADABLE:
            problems.add(2, "the header must be 'field: value' lines")
        return None, end + 1
    return header, end + 1


def _sections(lines: list[str], start: int, problems: Problems) -> tuple[list[_Section], str]:
    """Split the body into situations (## id) and the real-case section."""
    sections: list[_Section] = []
    real_case: list[str] | None = None
    current: _Section | None = None
    fence: tuple[str, int, list[str]] | None = None  # info, first line, collected lines
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        if fence is not None:
            if line.strip().startswith("```"):
                info, first, collected = fence
                fence = None
                if info in ("choices", "ending") and current is not None:
                    current.blocks.append((info, first, "\n".join(collected)))
                    continue
                target = current.prose if current is not None else real_case
                if target is not None:
                    target.extend(["```" + info, *collected, line])
            else:
                fence[2].append(line)
            continue
        if line.strip().startswith("```"):
            info = line.strip()[3:].strip()
            if info in ("choices", "ending") and current is None:
                problems.add(number, f"a '{info}' block must be inside a situation (## id)")
            fence = (info, number + 1, [])
            continue
        if line.startswith("## "):
            node_id = line[3:].strip()
            if not SLUG.fullmatch(node_id):
                problems.add(number, f"situation id '{node_id}' must be lowercase words "
                                     "joined by hyphens")
            current = _Section(node_id, number)
            sections.append(current)
        elif line.startswith("# "):
            if line.strip() != REAL_CASE_HEADING:
                problems.add(number, f"unknown section '{line.strip()}'; the only top-level "
                                     f"heading allowed is '{REAL_CASE_HEADING}'")
            current, real_case = None, []
        elif current is not None:
            current.prose.append(line)
        elif real_case is not None:
            real_case.append(line)
        elif line.strip():
            problems.add(number, "text outside any situation; start a situation with '## id'")
    if fence is not None:
        problems.add(fence[1] - 1, "this ``` block is never closed")
    return sections, "\n".join(real_case or []).strip()


def _check_speakers(sections: list[_Section], names: set[str], problems: Problems) -> None:
    """A paragraph written as a line of dialogue must name one of the characters."""
    for section in sections:
        lead = next((i for i, line in enumerate(section.prose) if line.strip()), 0)
        text = "\n".join(section.prose).strip()
        for offset, name in cast.unknown_speakers(text, names):
            problems.add(section.line + 1 + lead + offset,
                         f"'{name}:' opens a line of dialogue, but '{name}' is not among the "
                         "characters in the header")


def _node(section: _Section, problems: Problems) -> Node:
    text = "\n".join(section.prose).strip()
    if len(section.node_id) > TEXT_LIMITS["id"]:
        problems.add(section.line, f"situation id is longer than {TEXT_LIMITS['id']} characters")
    if len(text) > MAX_SITUATION:
        problems.add(section.line, f"situation '{section.node_id[:40]}' is {len(text):,} "
                                   f"characters long; the limit is {MAX_SITUATION:,}")
    if not section.blocks:
        problems.add(section.line, f"situation '{section.node_id}' has neither a choices "
                                   "block nor an ending block")
        return Node(section.node_id, text, (), None, section.line)
    for kind, first, _ in section.blocks[1:]:
        problems.add(first - 1, f"situation '{section.node_id}' has more than one block; "
                                f"this '{kind}' block is one too many")
    kind, first, block = section.blocks[0]
    data = _yaml(block, first, problems)
    if data is _UNREADABLE:
        return Node(section.node_id, text, (), None, section.line)
    if kind == "ending":
        return Node(section.node_id, text, (), _ending(data, first, problems), section.line)
    return Node(section.node_id, text, _choices(data, first, problems), None, section.line)


def _ending(data: Any, first: int, problems: Problems) -> Ending:
    if not isinstance(data, LocatedDict):
        problems.add(first, "an ending block needs 'kind:' and 'title:' lines")
        return Ending("bad", "")
    for key in data:
        if key not in ENDING_FIELDS:
            problems.add(data.key_lines[key], f"unknown ending field '{key}'")
    kind = _text_field(data, "kind", problems)
    if kind and kind not in ENDING_KINDS:
        problems.add(data.key_lines["kind"], f"ending kind '{kind}' must be one of "
                                             f"{', '.join(ENDING_KINDS)}")
    return Ending(kind if kind in ENDING_KINDS else "bad", _text_field(data, "title", problems))


def _choices(data: Any, first: int, problems: Problems) -> tuple[Choice, ...]:
    if not isinstance(data, LocatedList) or not data:
        problems.add(first, "a choices block must be a list of options, each starting with '- '")
        return ()
    if len(data) > MAX_OPTIONS:
        problems.add(data.item_lines[MAX_OPTIONS], f"more than {MAX_OPTIONS} options at one "
                                                   "decision")
    choices = []
    for number, (item, line) in enumerate(zip(data, data.item_lines, strict=True), start=1):
        if not isinstance(item, LocatedDict):
            problems.add(line, "each option must have 'text:', 'goto:', 'feedback:' and "
                               "'weights:' fields")
            continue
        choices.append(_choice(item, f"c{number}", problems))
    return tuple(choices)


def _choice(item: LocatedDict, choice_id: str, problems: Problems) -> Choice:
    for key in item:
        if key not in CHOICE_FIELDS:
            problems.add(item.key_lines[key], f"unknown option field '{key}'")
    weights = _int_map(item, "weights", problems, required=True)
    if "weights" in item and not weights and isinstance(item["weights"], dict):
        problems.add(item.key_lines["weights"], "an option must touch at least one principle")
    return Choice(
        id=choice_id,
        text=_text_field(item, "text", problems),
        routes=_routes(item, problems),
        feedback=_text_field(item, "feedback", problems),
        weights=weights,
        change=_int_map(item, "change", problems),
        set=_value_map(item, "set", problems),
        condition=_condition(item, "if", problems),
        line=item.line,
        field_lines=dict(item.key_lines),
    )


def _routes(item: LocatedDict, problems: Problems) -> tuple[Route, ...]:
    if "goto" not in item:
        problems.add(item.line, "missing field 'goto'")
        return ()
    goto, line = item["goto"], item.key_lines["goto"]
    if isinstance(goto, str):
        return (Route(goto.strip(), None, line),)
    if not isinstance(goto, LocatedList) or not goto:
        problems.add(line, "'goto' must be a situation id or a list of routes")
        return ()
    routes = []
    for index, (route, route_line) in enumerate(zip(goto, goto.item_lines, strict=True)):
        if not isinstance(route, LocatedDict) or not isinstance(route.get("to"), str):
            problems.add(route_line, "each route needs 'to: situation-id' (and 'if:' but "
                                     "for the last)")
            continue
        for key in route:
            if key not in ("to", "if"):
                problems.add(route.key_lines[key], f"unknown route field '{key}'")
        condition = _condition(route, "if", problems)
        last = index == len(goto) - 1
        if last and condition is not None:
            problems.add(route_line, "the last route must have no 'if', so one always applies")
        if not last and condition is None and "if" not in route:
            problems.add(route_line, "only the last route may have no 'if'; the routes after "
                                     "this one could never be taken")
        routes.append(Route(route["to"].strip(), condition, route_line))
    return tuple(routes)


def _variables(header: LocatedDict, problems: Problems) -> dict[str, int | bool]:
    variables: dict[str, int | bool] = {TRUST: DEFAULT_TRUST}
    data = header.get("variables")
    if data is None:
        return variables
    if not isinstance(data, LocatedDict):
        problems.add(header.key_lines["variables"], "'variables' must be 'name: value' lines")
        return variables
    for name, value in data.items():
        line = data.key_lines[name]
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            problems.add(line, f"variable name '{name}' must be lowercase letters, digits "
                               "and underscores")
        elif not isinstance(value, (int, bool)):
            problems.add(line, f"variable '{name}' must start as a whole number or "
                               "true/false")
        elif name == TRUST and (isinstance(value, bool) or not 0 <= value <= 100):
            problems.add(line, "trust must start as a number from 0 to 100")
        else:
            variables[name] = value
    return variables


_UNREADABLE = object()  # what _yaml returns for text that is not YAML at all


def _yaml(text: str, first: int, problems: Problems) -> Any:
    try:
        data, yaml_problems = load_located(text, first)
    except YamlError as exc:
        problems.add(exc.line, exc.message)
        return _UNREADABLE
    for line, message in yaml_problems:
        problems.add(line, message)
    return data


def _text_field(data: LocatedDict, name: str, problems: Problems, slug: bool = False) -> str:
    if name not in data or data[name] is None or data[name] == "":
        problems.add(data.line, f"missing field '{name}'")
        return ""
    value = data[name]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.add(data.key_lines[name], f"'{name}' must be text")
        return ""
    value = str(value).strip()
    limit = TEXT_LIMITS.get(name)
    if limit is not None and len(value) > limit:
        problems.add(data.key_lines[name], f"'{name}' is {len(value):,} characters long; the "
                                           f"limit is {limit:,}")
        return value[:limit]
    if slug and not SLUG.fullmatch(value):
        problems.add(data.key_lines[name], f"'{name}' value '{value}' must be lowercase "
                                           "words joined by hyphens")
    return value


def _int_map(data: LocatedDict, name: str, problems: Problems,
             required: bool = False) -> dict[str, int]:
    values = _value_map(data, name, problems, required)
    out = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            problems.add(data[name].key_lines[key], f"'{name}' of '{key}' must be a whole "
                                                    "number")
        else:
            out[key] = value
    return out


def _value_map(data: LocatedDict, name: str, problems: Problems,
               required: bool = False) -> dict[str, Any]:
    if name not in data:
        if required:
            problems.add(data.line, f"missing field '{name}'")
        return {}
    value = data[name]
    if not isinstance(value, LocatedDict):
        problems.add(data.key_lines[name], f"'{name}' must be a mapping like "
                                           "{name: value, ...}")
        return {}
    return value


def _condition(data: LocatedDict, name: str, problems: Problems) -> Condition | None:
    if name not in data:
        return None
    try:
        return parse_condition(data[name])
    except ConditionError as exc:
        problems.add(data.key_lines[name], f"bad condition '{data[name]}': {exc}")
        return None
