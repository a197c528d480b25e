"""Loading a scenarios folder: the catalogue, every scenario, and everything wrong with them."""
from __future__ import annotations

from pathlib import Path

from trainer.engine.model import Library, Problem
from trainer.engine.modules import DEFAULT_PASS_MARK, parse_modules, pass_marks
from trainer.engine.parse import parse_principles, parse_scenario
from trainer.engine.validate import validate

PRINCIPLES_FILE = "principles.yaml"
MODULES_FILE = "modules.yaml"
NOT_SCENARIOS = {"README.md"}


def load_library(folder: Path) -> Library:
    """Parse and validate every scenario file in `folder`; broken ones are kept with problems."""
    library = Library(default_pass_mark=DEFAULT_PASS_MARK)
    catalogue = folder / PRINCIPLES_FILE
    if catalogue.exists():
        library.principles, problems = parse_principles(catalogue.read_text("utf-8"),
                                                        PRINCIPLES_FILE)
        library.problems.extend(problems)
    else:
        library.problems.append(Problem(PRINCIPLES_FILE, 1, "the principles catalogue is missing"))
    first_seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name in NOT_SCENARIOS:
            continue
        problems = _load_one(path, library, first_seen)
        library.problems.extend(problems)
    modules = folder / MODULES_FILE
    if modules.exists():
        library.modules, problems = parse_modules(
            modules.read_text("utf-8"), MODULES_FILE, set(first_seen),
            {sid for sid, name in first_seen.items() if name in library.broken})
        library.problems.extend(problems)
        library.pass_marks, problems = pass_marks(library.modules, MODULES_FILE)
        library.problems.extend(problems)
    return library


def _load_one(path: Path, library: Library, first_seen: dict[str, str]) -> list[Problem]:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        problems = [Problem(path.name, 1, f"the file is not UTF-8 text ({exc.reason})")]
        library.broken[path.name] = problems
        return problems
    scenario, problems = parse_scenario(text, path.name)
    if scenario is not None:
        problems += validate(scenario, set(library.principles), deep=not problems)
        problems.sort(key=lambda problem: problem.line)
    if scenario is not None and scenario.id:
        if scenario.id in first_seen:
            problems.append(Problem(path.name, 2, f"scenario id '{scenario.id}' is already "
                                                  f"used by {first_seen[scenario.id]}"))
        else:
            first_seen[scenario.id] = path.name
    if problems or scenario is None:
        library.broken[path.name] = problems
    else:
        library.scenarios[scenario.id] = scenario
    return problems
