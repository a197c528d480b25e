"""YAML read with line numbers kept, so every content problem can name its file:line."""
from __future__ import annotations

from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same nodes and marks, ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedDict(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    line: int
    item_lines: list[int]


_ALIAS = -1  # marks, among the ids of the nodes built, that an alias was reported


class YamlError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load_located(text: str, first_line: int = 1) -> tuple[Any, list[tuple[int, str]]]:
    """Parse YAML text that starts at `first_line` of its file.

    Returns the value (LocatedDict/LocatedList/scalars) and the problems found while
    building it (duplicate keys), each as (line, message). A syntax error raises YamlError.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        raise YamlError(line, f"malformed YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    problems: list[tuple[int, str]] = []
    if node is None:
        return None, problems
    return _build(loader, node, first_line, problems, set()), problems


def _build(loader: yaml.SafeLoader, node: yaml.Node, first: int, problems: list,
           seen: set[int]) -> Any:
    line = first + node.start_mark.line
    # An alias (*name) makes the composer hand back a node already seen. Content files have
    # no use for them, and expanding them is how a 1 KB "billion laughs" file takes hours.
    if id(node) in seen:
        if _ALIAS not in seen:  # once per document: the first alias is the one to fix
            seen.add(_ALIAS)
            problems.append((line, "YAML aliases (*name) are not allowed here: the value "
                                   "anchored on this line is used again; write it out"))
        return None
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out = LocatedDict()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, first, problems, seen)
            key_line = first + key_node.start_mark.line
            if not isinstance(key, (str, int, bool)):
                problems.append((key_line, "a key must be a plain word"))
                continue
            key = str(key)
            if key in out:
                problems.append((key_line, f"'{key}' is given twice"))
                continue
            out[key] = _build(loader, value_node, first, problems, seen)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_build(loader, item, first, problems, seen) for item in node.value)
        items.line = line
        items.item_lines = [first + item.start_mark.line for item in node.value]
        return items
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append((line, f"unreadable value: {exc}"))
        return None
