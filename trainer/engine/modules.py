"""Modules: ordered lists of scenarios with a pass mark, read from modules.yaml and checked."""
from __future__ import annotations

from dataclasses import dataclass

from trainer.engine.located import LocatedDict, LocatedList, YamlError, load_located
from trainer.engine.model import Problem

MODULE_FIELDS = ("id", "title", "summary", "scenarios", "pass_mark", "minutes")


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    summary: str
    scenarios: tuple[str, ...]  # scenario ids, in the order they are taken
    pass_mark: int  # percent; a scenario scored at or above it counts as passed
    minutes: int  # estimated time to complete
    line: int


def parse_modules(text: str, file: str, scenario_ids: set[str],
                  unplayable: set[str] = frozenset()) -> tuple[dict[str, Module], list[Problem]]:
    """Read the modules file; `scenario_ids` are the scenarios that exist (valid or not),
    `unplayable` those of them that have problems."""
    problems: list[Problem] = []

    def add(line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    try:
        data, yaml_problems = load_located(text)
    except YamlError as exc:
        return {}, [Problem(file, exc.line, exc.message)]
    for line, message in yaml_problems:
        add(line, message)
    if not isinstance(data, LocatedList):
        add(1, "the modules file must be a list of modules, each starting with '- id:'")
        return {}, problems
    modules: dict[str, Module] = {}
    for item, line in zip(data, data.item_lines, strict=True):
        if not isinstance(item, LocatedDict):
            add(line, "each module must be a mapping of " + ", ".join(MODULE_FIELDS))
            continue
        module = _module(item, scenario_ids, unplayable, add)
        if module is None:
            continue
        if module.id in modules:
            add(line, f"module '{module.id}' is defined twice "
                      f"(first at line {modules[module.id].line})")
        else:
            modules[module.id] = module
    return modules, problems


def _module(item: LocatedDict, scenario_ids: set[str], unplayable: set[str], add):
    for key in item:
        if key not in MODULE_FIELDS:
            add(item.key_lines[key], f"unknown module field '{key}'")
    missing = [name for name in MODULE_FIELDS if item.get(name) in (None, "")]
    for name in missing:
        add(item.line, f"missing field '{name}'")
    if missing:
        return None
    ok = True
    for name in ("id", "title", "summary"):
        if not isinstance(item[name], str):
            add(item.key_lines[name], f"'{name}' must be text")
            ok = False
    for name, low, high in (("pass_mark", 1, 100), ("minutes", 1, 600)):
        value = item[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            add(item.key_lines[name], f"'{name}' must be a whole number from {low} to {high}")
            ok = False
    scenarios = item["scenarios"]
    if not isinstance(scenarios, LocatedList) or not scenarios:
        add(item.key_lines["scenarios"], "'scenarios' must be a list of scenario ids")
        return None
    for scenario_id, line in zip(scenarios, scenarios.item_lines, strict=True):
        if scenario_id not in scenario_ids:
            add(line, f"unknown scenario '{scenario_id}'")
            ok = False
        elif scenario_id in unplayable:
            add(line, f"scenario '{scenario_id}' has problems and cannot be played")
            ok = False
    if len(set(scenarios)) != len(scenarios):
        add(item.key_lines["scenarios"], "a scenario is listed twice")
        ok = False
    if not ok:
        return None
    return Module(item["id"], item["title"].strip(), item["summary"].strip(),
                  tuple(scenarios), item["pass_mark"], item["minutes"], item.line)
