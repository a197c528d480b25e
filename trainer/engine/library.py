"""Loading a scenarios folder: the catalogue, every scenario, and everything wrong with them.

Whatever the folder holds, loading finishes and says what is wrong where: a file that is not
UTF-8, too large, a folder where a file should be, or an id that two files claim."""
from __future__ import annotations

from pathlib import Path

from trainer.engine.model import Library, Problem, Scenario
from trainer.engine.modules import DEFAULT_PASS_MARK, parse_modules, pass_marks
from trainer.engine.parse import parse_principles, parse_scenario
from trainer.engine.validate import validate

PRINCIPLES_FILE = "principles.yaml"
MODULES_FILE = "modules.yaml"
NOT_SCENARIOS = {"README.md"}
MAX_SCENARIO_BYTES = 4 * 1024 * 1024  # the benchmark's 2,000-situation scenario is 1.9 MB
MAX_CATALOGUE_BYTES = 1024 * 1024  # principles.yaml, modules.yaml


def load_library(folder: Path, published: dict[str, str] | None = None) -> Library:
    """Parse and validate every scenario file in `folder`; broken ones are kept with problems.

    `published` maps scenario ids to the file each was last served from (the app knows it
    from its stored versions): when two files claim one id, that file keeps it and the
    newcomer is refused; without it, both are refused."""
    library = Library(default_pass_mark=DEFAULT_PASS_MARK)
    text, problem = read_text(folder / PRINCIPLES_FILE, MAX_CATALOGUE_BYTES)
    if text is not None:
        library.principles, problems = parse_principles(text, PRINCIPLES_FILE)
        library.problems.extend(problems)
    else:
        library.problems.append(problem or Problem(PRINCIPLES_FILE, 1,
                                                   "the principles catalogue is missing"))
    claims: dict[str, list[tuple[str, Scenario]]] = {}  # id -> (file, scenario) valid or not
    for path in sorted(folder.glob("*.md")):
        if path.name in NOT_SCENARIOS:
            continue
        scenario, problems = _load_one(path, library)
        if scenario is not None and scenario.id:
            claims.setdefault(scenario.id, []).append((path.name, scenario))
        if problems or scenario is None:
            library.broken[path.name] = problems
    _settle_claims(claims, published or {}, library)
    library.problems.extend(p for problems in library.broken.values() for p in problems)
    library.problems.sort(key=lambda p: (p.file != PRINCIPLES_FILE, p.file, p.line))
    text, problem = read_text(folder / MODULES_FILE, MAX_CATALOGUE_BYTES)
    if problem is not None:
        library.problems.append(problem)
    elif text is not None:
        names = {sid: file for sid, found in claims.items() for file, _ in found}
        library.modules, problems = parse_modules(
            text, MODULES_FILE, set(names), set(names) - set(library.scenarios))
        library.problems.extend(problems)
        library.pass_marks, problems = pass_marks(library.modules, MODULES_FILE)
        library.problems.extend(problems)
    return library


def read_text(path: Path, limit: int) -> tuple[str | None, Problem | None]:
    """A content file's text (a UTF-8 byte-order mark dropped), or why it cannot be read;
    (None, None) when there is no such file."""
    if not path.exists():
        return None, None
    if not path.is_file():
        return None, Problem(path.name, 1, "this is a folder, not a file; move or rename it")
    size = path.stat().st_size
    if size > limit:
        return None, Problem(path.name, 1, f"the file is {size / 1024 / 1024:.1f} MB; the "
                                           f"limit is {limit / 1024 / 1024:.0f} MB")
    try:
        return path.read_bytes().decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        return None, Problem(path.name, line, f"the file is not UTF-8 text ({exc.reason} at "
                                              f"byte {exc.start}); save it as UTF-8")
    except OSError as exc:
        return None, Problem(path.name, 1, f"the file cannot be read ({exc.strerror})")


def _load_one(path: Path, library: Library) -> tuple[Scenario | None, list[Problem]]:
    text, problem = read_text(path, MAX_SCENARIO_BYTES)
    if text is None:
        return None, [problem]
    return check_text(text, path.name, library)


def check_text(text: str, file: str, library: Library) -> tuple[Scenario | None, list[Problem]]:
    """One scenario's text parsed and validated against the library's principles, as a file
    in the folder would be: the scenario (None if unusable) and every problem, by line."""
    scenario, problems = parse_scenario(text, file)
    if scenario is not None:
        problems += validate(scenario, set(library.principles), deep=not problems)
        problems.sort(key=lambda problem: problem.line)
    return scenario, problems


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """An uploaded scenario file's text, or why it cannot be read (as read_text says it)."""
    if len(data) > MAX_SCENARIO_BYTES:
        return None, Problem(file, 1, f"the file is {len(data) / 1024 / 1024:.1f} MB; the "
                                      f"limit is {MAX_SCENARIO_BYTES / 1024 / 1024:.0f} MB")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, Problem(file, data[:exc.start].count(b"\n") + 1,
                             f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                             "save it as UTF-8")


def _settle_claims(claims: dict[str, list[tuple[str, Scenario]]], published: dict[str, str],
                   library: Library) -> None:
    """Every valid scenario whose id no other file claims plays. An id claimed by several
    files: none silently replaces another."""
    for scenario_id, found in claims.items():
        files = [file for file, _ in found]
        keeper = files[0] if len(files) == 1 else published.get(scenario_id)
        for file, scenario in found:
            if file == keeper:
                if file not in library.broken:
                    library.scenarios[scenario_id] = scenario
                continue
            others = ", ".join(f for f in files if f != file)
            message = (f"scenario id '{scenario_id}' is also claimed by {others}; "
                       + (f"it stays published from {keeper}, and this file is refused"
                          if keeper in files else "each is refused until one is renamed"))
            library.broken.setdefault(file, []).append(Problem(file, 2, message))
