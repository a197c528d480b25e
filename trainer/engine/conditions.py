"""Conditions in scenario files: `trust >= 60`, `apologised and not escalated`, parsed once."""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass

_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_TOKEN = re.compile(r"\s*(<=|>=|==|!=|<|>|-?\d+|[A-Za-z_][A-Za-z0-9_]*|\S)")


class ConditionError(ValueError):
    """A condition that cannot be parsed; the message says what is wrong."""


@dataclass(frozen=True)
class Compare:
    variable: str
    op: str  # a key of _OPS; "==" with True for a bare flag
    value: int | bool


@dataclass(frozen=True)
class Condition:
    """Clauses in disjunctive form: any group holds when all its comparisons hold."""

    source: str
    groups: tuple[tuple[tuple[bool, Compare], ...], ...]  # (negated, comparison)

    @property
    def variables(self) -> set[str]:
        return {cmp.variable for group in self.groups for _, cmp in group}

    def holds(self, values: dict[str, int | bool]) -> bool:
        # Plain loops: this runs for every option in every state the solver explores.
        for group in self.groups:
            for negated, cmp in group:
                if _eval(cmp, values) == negated:
                    break
            else:
                return True
        return False


def _eval(cmp: Compare, values: dict[str, int | bool]) -> bool:
    return _OPS[cmp.op](values[cmp.variable], cmp.value)


def parse_condition(source: str) -> Condition:
    """Parse `a and not b or c >= 3`; `and` binds tighter than `or`; no parentheses."""
    tokens = _TOKEN.findall(str(source))
    if not tokens:
        raise ConditionError("the condition is empty")
    groups, group, pos = [], [], 0
    while True:
        negated = False
        if pos < len(tokens) and tokens[pos] == "not":
            negated, pos = True, pos + 1
        cmp, pos = _comparison(tokens, pos)
        group.append((negated, cmp))
        if pos == len(tokens):
            break
        word = tokens[pos]
        if word == "or":
            groups.append(tuple(group))
            group = []
        elif word != "and":
            raise ConditionError(f"expected 'and' or 'or', found {word!r}")
        pos += 1
    groups.append(tuple(group))
    return Condition(str(source), tuple(groups))


def _comparison(tokens: list[str], pos: int) -> tuple[Compare, int]:
    if pos >= len(tokens):
        raise ConditionError("the condition ends too early")
    name = tokens[pos]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in ("and", "or", "not"):
        raise ConditionError(f"expected a variable name, found {name!r}")
    if pos + 1 < len(tokens) and tokens[pos + 1] in _OPS:
        if pos + 2 >= len(tokens):
            raise ConditionError(f"nothing to compare {name!r} with")
        return Compare(name, tokens[pos + 1], _literal(tokens[pos + 2])), pos + 3
    return Compare(name, "==", True), pos + 1


def _literal(token: str) -> int | bool:
    if token in ("true", "yes"):
        return True
    if token in ("false", "no"):
        return False
    if re.fullmatch(r"-?\d+", token):
        return int(token)
    raise ConditionError(f"expected a number, true or false, found {token!r}")
