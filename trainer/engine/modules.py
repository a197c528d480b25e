"""Modules: ordered lists of scenarios with a pass mark, read from modules.yaml and checked."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from trainer.engine.located import LocatedDict, LocatedList, YamlError, load_located
from trainer.engine.model import Problem, Problems

REQUIRED_FIELDS = ("id", "title", "summary", "scenarios", "pass_mark", "minutes")
MODULE_FIELDS = (*REQUIRED_FIELDS, "feedback", "renew_after_months")
IMMEDIATE, AT_END = "immediate", "at-end"  # feedback after each choice, or in the debrief
FEEDBACK_MODES = (IMMEDIATE, AT_END)
DEFAULT_PASS_MARK = 75  # for a scenario played outside every module


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    summary: str
    scenarios: tuple[str, ...]  # scenario ids, in the order they are taken
    pass_mark: int  # percent; the default for its scenarios
    minutes: int  # estimated time to complete
    line: int
    feedback: str = IMMEDIATE  # one of FEEDBACK_MODES
    pass_marks: dict[str, int] = field(default_factory=dict)  # scenario id -> its own mark
    scenario_lines: dict[str, int] = field(default_factory=dict)
    # Recertification: a completion runs out this many months after it (None: never).
    renew_after_months: int | None = None

    def renew_on(self, completed: date) -> date | None:
        """The day a completion on `completed` runs out and the module is due again."""
        if self.renew_after_months is None:
            return None
        return add_months(completed, self.renew_after_months)

    def pass_mark_for(self, scenario_id: str) -> int:
        return self.pass_marks.get(scenario_id, self.pass_mark)

    def completed_by(self, passed: set[str]) -> bool:
        """Completed once every one of its scenarios has a passed play-through."""
        return all(scenario_id in passed for scenario_id in self.scenarios)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day
    (31 January + 1 month: 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pass_marks(modules: dict[str, Module], file: str) -> tuple[dict[str, int], list[Problem]]:
    """One pass mark per scenario, whichever module it is played in; modules that disagree
    on a scenario are reported (the first module's mark holds)."""
    marks: dict[str, tuple[int, Module]] = {}
    problems = Problems(file)
    for module in modules.values():
        for scenario_id in module.scenarios:
            mark = module.pass_mark_for(scenario_id)
            first = marks.setdefault(scenario_id, (mark, module))
            if first[0] != mark:
                problems.add(module.scenario_lines[scenario_id],
                             f"'{scenario_id}' has pass mark {mark} here but {first[0]} in "
                             f"module '{first[1].id}' (line "
                             f"{first[1].scenario_lines[scenario_id]}): a scenario has one "
                             "pass mark; set it in both")
    return {sid: mark for sid, (mark, _) in marks.items()}, problems


def parse_modules(text: str, file: str, scenario_ids: set[str],
                  unplayable: set[str] = frozenset()) -> tuple[dict[str, Module], list[Problem]]:
    """Read the modules file; `scenario_ids` are the scenarios that exist (valid or not),
    `unplayable` those of them that have problems."""
    problems = Problems(file)
    add = problems.add

    try:
        data, yaml_problems = load_located(text)
    except YamlError as exc:
        add(exc.line, exc.message)
        return {}, list(problems)
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
    missing = [name for name in REQUIRED_FIELDS if item.get(name) in (None, "")]
    for name in missing:
        add(item.line, f"missing field '{name}'")
    if missing:
        return None
    ok = True
    for name in ("id", "title", "summary"):
        if not isinstance(item[name], str):
            add(item.key_lines[name], f"'{name}' must be text")
            ok = False
    for name, low, high in (("pass_mark", 1, 100), ("minutes", 1, 600),
                            ("renew_after_months", 1, 120)):
        if name not in item:
            continue  # only renew_after_months may be absent: required fields were checked
        value = item[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            add(item.key_lines[name], f"'{name}' must be a whole number from {low} to {high}")
            ok = False
    feedback = item.get("feedback", IMMEDIATE)
    if feedback not in FEEDBACK_MODES:
        add(item.key_lines["feedback"], "'feedback' must be one of: " + ", ".join(FEEDBACK_MODES))
        ok = False
    listed = item["scenarios"]
    if not isinstance(listed, LocatedList) or not listed:
        add(item.key_lines["scenarios"], "'scenarios' must be a list of scenario ids")
        return None
    scenarios, marks, lines = [], {}, {}
    for entry, line in zip(listed, listed.item_lines, strict=True):
        scenario_id = _scenario_entry(entry, line, marks, add)
        if scenario_id is None:
            ok = False
            continue
        scenarios.append(scenario_id)
        lines.setdefault(scenario_id, line)
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
                  tuple(scenarios), item["pass_mark"], item["minutes"], item.line, feedback,
                  marks, lines, item.get("renew_after_months"))


def _scenario_entry(entry, line: int, marks: dict[str, int], add) -> str | None:
    """A scenario id, or `{id: ..., pass_mark: ...}` for a scenario with its own mark."""
    if isinstance(entry, str):
        return entry
    if not isinstance(entry, LocatedDict) or not isinstance(entry.get("id"), str):
        add(line, "each scenario is an id, or {id: ..., pass_mark: ...}")
        return None
    for key in entry:
        if key not in ("id", "pass_mark"):
            add(entry.key_lines[key], f"unknown field '{key}' for a scenario in a module")
            return None
    if "pass_mark" in entry:
        mark = entry["pass_mark"]
        if isinstance(mark, bool) or not isinstance(mark, int) or not 1 <= mark <= 100:
            add(entry.key_lines["pass_mark"], "'pass_mark' must be a whole number from 1 to 100")
            return None
        marks[entry["id"]] = mark
    return entry["id"]
