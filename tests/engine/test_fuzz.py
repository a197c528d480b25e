"""Fuzzing the two readers of untrusted files with hypothesis: the scenario loader and the staff
CSV importer. Every input either loads or is answered with problems that name their place
(file:line, or the CSV line); none raises.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import shutil
from datetime import date

import pytest
from conftest import CONTENT, SCENARIOS, make_app, make_org
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from trainer.engine import (
    Problem,
    load_library,
    parse_modules,
    parse_principles,
    parse_scenario,
    validate,
)
from trainer.extensions import db
from trainer.store import staff_import

BASE = settings(deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])


def fuzz(examples: int) -> settings:
    return settings(BASE, max_examples=examples)

SHIPPED_TEXTS = [path.read_text("utf-8") for path in sorted(SCENARIOS.glob("*.md"))
                 if path.name != "README.md"]
PRINCIPLE_IDS = set(parse_principles((SCENARIOS / "principles.yaml").read_text("utf-8"),
                                     "principles.yaml")[0])
# Lines that mean something to the scenario format, to make random edits that reach deep.
FORMAT_LINES = ["---", "```choices", "```ending", "```", "## start", "## a-b", "# What really "
                "happened", "- text: hi", "  goto: start", "  goto:", "    - if: trust < 30",
                "      to: start", "    - to: x", "  weights: {warmth: 2}", "  weights: {}",
                "  feedback: why", "  change: {trust: -200}", "  set: {flag: true}",
                "  if: flag and not flag", "kind: good", "kind: nope", "title: t", "id: x",
                "start: start", "variables: {trust: 101}", "- x", ": :", "  - [", "'", "\t",
                "\x00", "\ufeff", "\u2028", "\r", "\\"]


def check_problems(problems: list[Problem], file: str, text: str) -> None:
    last = max(1, len(text.splitlines()) + 1)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.file == file, problem
        assert isinstance(problem.line, int) and 1 <= problem.line <= last, (problem, last)
        assert problem.message and str(problem).startswith(f"{file}:{problem.line}: ")


def parse_and_validate(text: str, file: str = "fuzz.md") -> None:
    scenario, problems = parse_scenario(text, file)
    if scenario is None:
        assert problems, "an unusable file must say why"
    else:
        problems += validate(scenario, PRINCIPLE_IDS, deep=not problems)
    check_problems(problems, file, text)


@fuzz(400)
@given(st.text())
def test_random_text_is_a_scenario_or_problems(text):
    parse_and_validate(text)


@fuzz(300)
@given(st.lists(st.sampled_from(FORMAT_LINES) | st.text(max_size=20), max_size=40))
def test_random_lines_of_the_format_are_a_scenario_or_problems(lines):
    parse_and_validate("\n".join(lines))


@st.composite
def mutated_scenarios(draw) -> str:
    """A shipped scenario with a few random edits: lines deleted, repeated, swapped, replaced,
    or cut short; characters inserted."""
    lines = draw(st.sampled_from(SHIPPED_TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "repeat", "swap", "replace", "cut", "insert",
                                     "indent", "truncate"]))
        if edit == "delete":
            del lines[at:at + draw(st.integers(1, 5))]
        elif edit == "repeat":
            lines.insert(at, lines[at])
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif edit == "replace":
            lines[at] = draw(st.sampled_from(FORMAT_LINES) | st.text(max_size=30))
        elif edit == "cut":
            lines[at] = lines[at][:draw(st.integers(0, len(lines[at])))]
        elif edit == "insert":
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + draw(st.text(min_size=1, max_size=5)) + \
                lines[at][column:]
        elif edit == "indent":
            lines[at] = " " + lines[at]
        else:
            lines = lines[:at]
    return "\n".join(lines)


@fuzz(400)
@given(mutated_scenarios())
def test_mutated_scenario_files_load_or_give_problems(text):
    parse_and_validate(text)


@fuzz(40)
@given(st.lists(mutated_scenarios(), min_size=1, max_size=3), st.text(max_size=200))
def test_a_folder_of_mutated_files_loads_or_gives_problems(tmp_path_factory, texts, modules):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copy(SCENARIOS / "principles.yaml", folder)
    shutil.copy(SCENARIOS / "modules.yaml", folder)
    for number, text in enumerate(texts):
        (folder / f"s{number}.md").write_text(text, "utf-8")
    (folder / "broken.md").write_bytes(b"---\nid: \xff\xfe\n---\n")
    library = load_library(folder)
    for problem in library.problems:
        assert problem.line >= 1 and problem.file in {
            "principles.yaml", "modules.yaml", "broken.md",
            *(f"s{n}.md" for n in range(len(texts)))}, problem
    assert "broken.md" in library.broken
    (folder / "modules.yaml").write_text(modules, "utf-8")
    load_library(folder)


@fuzz(200)
@given(st.text())
def test_random_catalogues_and_module_files_give_problems(text):
    _, problems = parse_principles(text, "principles.yaml")
    check_problems(problems, "principles.yaml", text)
    _, problems = parse_modules(text, "modules.yaml", {"rude-receptionist"}, set())
    check_problems(problems, "modules.yaml", text)


# --- the staff CSV importer ------------------------------------------------------------------

HEADER = list(staff_import.COLUMNS)
CELLS = st.sampled_from([
    "", " ", "Ann Example", "ann@example.com", "ANN@EXAMPLE.COM", "new@example.com",
    "not an email", "a@b", "Sales", "Showroom", "employee", "manager;hr", "admin, hr", "boss",
    "2026-03-31", "31.03.2026", "2026-02-30", "=SUM(A1)", '"', "a,b", "line\nbreak", "\x00",
    "ż" * 130, "x" * 300, "\ufeff", "\r",
]) | st.text(max_size=15)


@st.composite
def staff_files(draw) -> str:
    header = draw(st.permutations(HEADER) | st.lists(st.sampled_from(HEADER + ["extra"]),
                                                     max_size=8))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        width = draw(st.sampled_from([len(header), len(header), len(header) - 1, 1]))
        writer.writerow([draw(CELLS) for _ in range(max(0, width))])
    text = out.getvalue()
    if draw(st.booleans()):  # and sometimes a damaged file
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "\x00", "\n", ",", "\r", ""])) + text[at:]
    return text


RUNS = itertools.count()


@st.composite
def plausible_staff_files(draw) -> str:
    """Files whose rows mostly pass: right columns and emails, any text for names and teams."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    emails = []
    for number in range(draw(st.integers(1, 5))):
        emails.append(draw(st.sampled_from([f"p{number}@example.com", "ann@example.com",
                                            f"P{number}@Example.COM"])))
        writer.writerow([
            draw(st.text(min_size=1, max_size=150)), emails[-1],
            draw(st.text(min_size=1, max_size=150)), draw(st.text(min_size=1, max_size=150)),
            draw(st.sampled_from(["", "", "mia@example.com", emails[0], "p9@example.com"])),
            draw(st.sampled_from(["", "employee", "manager", "hr;admin", "Employee , HR"])),
            draw(st.sampled_from(["", "", "2026-03-31", "01.02.2026", "31/12/2199",
                                  "9999-12-31", "0001-01-01"])),
        ])
    return out.getvalue()


@pytest.fixture
def import_app(tmp_path):
    """One app for all the examples of a test (hypothesis runs them inside one test call)."""
    app = make_app(tmp_path)
    make_org(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def read_then_apply(app, text: str) -> None:
    """A plan with errors names a line for each; a plan without errors can be written."""
    with app.app_context():
        plan = staff_import.read(text)
        last = max(1, len(text.splitlines()) + 1)
        for error in plan.errors:
            assert 1 <= error.line <= last and error.message, (error, last)
        event("written" if plan.ok else "refused")
        if plan.ok:
            staff_import.apply(plan, True, date(2026, 3, 1))
            assert staff_import.read(text).count("create") == 0  # the second time: nothing new
        db.session.rollback()


# Inputs that crashed the importer before it was fixed: always tried again.
FOUND = [
    "\r0",  # a carriage return in the header line
    f"{','.join(HEADER)}\nNew,new@example.com,Sales,\x00,,,\n",  # NUL (PostgreSQL)
    f"{','.join(HEADER)}\nNew,new@example.com,Sales,{'x' * 121},,,\n",  # too long (PostgreSQL)
    f"{','.join(HEADER)}\nNew,new@example.com,Sales,Desk,,,9999-12-31\n",  # onboarding date
]


@fuzz(300)
@given(st.text())
@example(FOUND[0])
def test_random_text_as_a_staff_file_is_a_plan_or_line_numbered_errors(import_app, text):
    read_then_apply(import_app, text)


@fuzz(300)
@given(staff_files())
def test_random_staff_files_are_a_plan_or_line_numbered_errors(import_app, text):
    read_then_apply(import_app, text)


@fuzz(300)
@given(plausible_staff_files())
@example(FOUND[1])
@example(FOUND[2])
@example(FOUND[3])
def test_plausible_staff_files_are_written_or_give_line_numbered_errors(import_app, text):
    # New people are new on every run of an example (the database keeps the earlier ones),
    # so a failing example fails again when hypothesis replays it.
    run = next(RUNS)
    read_then_apply(import_app, re.sub(r"(?i)\b(p\d)@example\.com", rf"\1@run{run}.example.com",
                                       text))


def test_the_shipped_test_content_still_loads():
    assert load_library(CONTENT / "valid").scenarios
