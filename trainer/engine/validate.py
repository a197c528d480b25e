"""Checking a parsed scenario against the catalogue and its own graph; every problem found."""
from __future__ import annotations

from collections import deque

from trainer.engine.conditions import Condition
from trainer.engine.model import (
    WEIGHT_MAX,
    WEIGHT_MIN,
    Choice,
    Problem,
    Problems,
    Scenario,
)
from trainer.engine.play import apply_values, route_taken, start
from trainer.engine.score import follow
from trainer.engine.solver import ScoreError, Solver

MAX_STATES = 200_000  # a scenario whose variables explode beyond this is reported, not hung on


def validate(scenario: Scenario, principles: set[str], deep: bool = True,
             solver: Solver | None = None) -> list[Problem]:
    """All problems of one scenario that parsing alone cannot see.

    `deep` walks every reachable state as well; it is only meaningful (and only run)
    when nothing else is wrong, since a broken reference would make it misleading. The walk
    solves every state's best score: pass a `solver` to keep that work for scoring later.
    """
    found = Problems(scenario.file)
    add = found.add

    if scenario.start and scenario.start not in scenario.nodes:
        add(1, f"the start situation '{scenario.start}' does not exist")
    for node in scenario.nodes.values():
        for choice in node.choices:
            _check_choice(scenario, choice, principles, add)
    if scenario.start not in scenario.nodes:
        return found
    loop = _find_loop(scenario)
    if loop:
        add(scenario.nodes[loop[0]].line, "the scenario loops: " + " -> ".join(loop)
            + "; every path must reach an ending")
        return found
    _check_graph(scenario, add)
    if deep and not found:
        _check_states(scenario, add, solver)
    return found


def _check_choice(scenario: Scenario, choice: Choice, principles: set[str], add) -> None:
    weights_line = choice.field_lines.get("weights", choice.line)
    for principle, weight in choice.weights.items():
        if principle not in principles:
            add(weights_line, f"unknown principle '{principle}'")
        if not WEIGHT_MIN <= weight <= WEIGHT_MAX or weight == 0:
            add(weights_line, f"weight {weight} for '{principle}' is out of range: use a "
                              f"whole number from {WEIGHT_MIN} to {WEIGHT_MAX}, not 0")
    for route in choice.routes:
        if route.target not in scenario.nodes:
            add(route.line, f"'goto' leads to an unknown situation '{route.target}'")
        _check_condition(scenario, route.condition, route.line, add)
    _check_condition(scenario, choice.condition, choice.field_lines.get("if", choice.line), add)
    variables = scenario.variables
    for name in choice.change:
        line = choice.field_lines["change"]
        if name not in variables:
            add(line, f"'change' of an undeclared variable '{name}'")
        elif isinstance(variables[name], bool):
            add(line, f"'{name}' is true/false; use 'set' for it, not 'change'")
    for name, value in choice.set.items():
        line = choice.field_lines["set"]
        if name not in variables:
            add(line, f"'set' of an undeclared variable '{name}'")
        elif type(value) is not type(variables[name]):
            kind = "true or false" if isinstance(variables[name], bool) else "a whole number"
            add(line, f"'{name}' must be set to {kind}")


def _check_condition(scenario: Scenario, condition: Condition | None, line: int, add) -> None:
    if condition is None:
        return
    for group in condition.groups:
        for _, cmp in group:
            if cmp.variable not in scenario.variables:
                add(line, f"condition '{condition.source}' uses an undeclared variable "
                          f"'{cmp.variable}'")
                continue
            is_flag = isinstance(scenario.variables[cmp.variable], bool)
            if is_flag != isinstance(cmp.value, bool) or (is_flag and cmp.op not in ("==", "!=")):
                kind = "true/false" if is_flag else "a number"
                add(line, f"condition '{condition.source}': '{cmp.variable}' is {kind} and "
                          "cannot be compared that way")


def _edges(scenario: Scenario) -> dict[str, list[str]]:
    return {node.id: [route.target for choice in node.choices for route in choice.routes
                      if route.target in scenario.nodes]
            for node in scenario.nodes.values()}


def _find_loop(scenario: Scenario) -> list[str] | None:
    edges, colour, parent = _edges(scenario), {}, {}
    for root in scenario.nodes:
        if root in colour:
            continue
        colour[root], stack = "grey", [(root, iter(edges[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = "black"
                stack.pop()
            elif colour.get(child) == "grey":
                loop, at = [child], node
                while at != child:
                    loop.append(at)
                    at = parent[at]
                return [child, *reversed(loop[1:]), child]
            elif child not in colour:
                colour[child], parent[child] = "grey", node
                stack.append((child, iter(edges[child])))
    return None


def _check_graph(scenario: Scenario, add) -> None:
    edges = _edges(scenario)
    reached, queue = {scenario.start}, deque([scenario.start])
    while queue:
        for child in edges[queue.popleft()]:
            if child not in reached:
                reached.add(child)
                queue.append(child)
    for node in scenario.nodes.values():
        if node.id not in reached:
            add(node.line, f"situation '{node.id}' cannot be reached from the start")
    reverse: dict[str, list[str]] = {node_id: [] for node_id in edges}
    for node_id, children in edges.items():
        for child in children:
            reverse[child].append(node_id)
    ends = [n.id for n in scenario.nodes.values() if n.ending]
    if not ends:
        add(1, "the scenario has no ending")
    can_end, queue = set(ends), deque(ends)
    while queue:
        for parent in reverse[queue.popleft()]:
            if parent not in can_end:
                can_end.add(parent)
                queue.append(parent)
    for node in scenario.nodes.values():
        # A situation with no block at all was already reported when it was read.
        has_block = node.choices or node.ending
        if node.id in reached and node.id not in can_end and has_block:
            add(node.line, f"no ending can be reached from situation '{node.id}'")


def _check_states(scenario: Scenario, add, solver: Solver | None) -> None:
    """Every reachable (situation, variables) state, walked once by the solver that also
    finds the best score: conditions may close every way out of a state."""
    solver = solver or Solver(scenario)
    solver.max_states, initial = MAX_STATES, start(scenario)
    try:
        best = solver.solve(initial.node, initial.values)[0]
    except ScoreError as exc:  # too many states (a loop was ruled out before)
        add(1, str(exc))
        return
    for key in solver.stuck:
        node_id, values = solver.state_of(key)
        add(scenario.nodes[node_id].line, f"in situation '{node_id}' no option is available "
                                          f"when {_describe(values)}: every 'if' fails")
    visited_nodes = solver.visited()
    for node in scenario.nodes.values():
        if node.id not in visited_nodes:
            add(node.line, f"situation '{node.id}' can never be reached: the conditions on "
                           "the way to it never hold")
    _check_dead_branches(scenario, add, solver, visited_nodes)
    if best is None:
        add(1, "no ending can be reached from the start")
        return
    decisions, end = follow(scenario)
    ending = scenario.nodes[end]
    if ending.ending.kind != "good":
        route = " -> ".join(d.node for d in decisions)
        add(ending.line, f"taking the best option at every decision ({route}) ends "
                         f"{ending.ending.kind} at '{end}': the best play must end well")


def _check_dead_branches(scenario: Scenario, add, solver: Solver, visited: set[str]) -> None:
    """Options never offered and routes never taken in any reachable state: a branch the
    author wrote that no player can ever see, so the story it tells is not the one played."""
    offered, taken = set(), set()
    for node_id, values in solver.states():
        for choice in scenario.nodes[node_id].choices:
            if choice.condition is None or choice.condition.holds(values):
                offered.add(choice.line)
                taken.add(route_taken(choice, apply_values(values, choice)).line)
    for node in scenario.nodes.values():
        if node.id not in visited:
            continue  # reported as never reached
        for choice in node.choices:
            if choice.line not in offered:
                add(choice.line, f"this option of situation '{node.id}' is never offered: "
                                 "its condition never holds when the situation is reached")
            elif len(choice.routes) > 1:
                for route in choice.routes:
                    if route.line not in taken:
                        add(route.line, f"the route to '{route.target}' is never taken: "
                                        "its condition never holds, or an earlier route "
                                        "always applies")


def _describe(values: dict) -> str:
    return ", ".join(f"{name} = {str(value).lower()}" for name, value in sorted(values.items()))

