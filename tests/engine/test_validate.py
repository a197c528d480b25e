"""The validator reports every planted problem with its file:line, and exits non-zero."""
from conftest import CONTENT, SCENARIOS, run_cli

from trainer.engine import load_library

BROKEN = CONTENT / "broken"

# Every problem planted in tests/content/broken, as "file:line" and part of the message.
PLANTED = [
    ("dead-end.md:25", "no option is available when trust = 20"),
    ("dead-branches.md:16", "the route to 'lost' is never taken"),
    ("dead-branches.md:35", "this option of situation 'second' is never offered"),
    ("duplicate-a.md:2", "scenario id 'same-id' is also claimed by duplicate-b.md; each is "
                         "refused until one is renamed"),
    ("duplicate-b.md:2", "scenario id 'same-id' is also claimed by duplicate-a.md"),
    ("graph-errors.md:9", "no ending can be reached from situation 'first'"),
    ("graph-errors.md:15", "unknown situation 'nowhere'"),
    ("graph-errors.md:24", "situation 'second' has neither a choices block nor an ending"),
    ("graph-errors.md:28", "situation 'orphan' cannot be reached"),
    ("graph-errors.md:40", "ending kind 'happy'"),
    ("loop.md:9", "the scenario loops: ask -> answer -> ask"),
    ("scoring-errors.md:19", "unknown principle 'politeness'"),
    ("scoring-errors.md:23", "weight 5 for 'courtesy' is out of range"),
    ("scoring-errors.md:23", "weight 0 for 'warmth' is out of range"),
    ("scoring-errors.md:29", "undeclared variable 'patience'"),
    ("scoring-errors.md:30", "'apologised' must be set to true or false"),
    ("scoring-errors.md:35", "undeclared variable 'mood'"),
    ("scoring-errors.md:40", "bad condition 'trust >>= 3'"),
    ("structure-errors.md:2", "missing field 'summary'"),
    ("structure-errors.md:6", "unknown header field 'colour'"),
    ("structure-errors.md:9", "text outside any situation"),
    ("structure-errors.md:16", "missing field 'weights'"),
    ("structure-errors.md:16", "missing field 'feedback'"),
    ("structure-errors.md:24", "malformed YAML"),
    ("structure-errors.md:27", "situation 'second' is defined twice (first at line 20)"),
    ("structure-errors.md:43", "more than one block"),
    ("structure-errors.md:48", "unknown section '# Notes'"),
    ("unclosed-header.md:1", "the header is not closed"),
]


def test_every_planted_problem_is_reported_with_file_and_line():
    reported = [str(problem) for problem in load_library(BROKEN).problems]
    for place, message in PLANTED:
        assert any(line.startswith(place + ":") and message in line for line in reported), \
            f"{place} {message!r} not in:\n" + "\n".join(reported)


def test_no_problem_is_reported_without_a_planted_cause():
    reported = [str(problem) for problem in load_library(BROKEN).problems]
    planted_places = {place for place, _ in PLANTED}
    # Consequences reported on purpose: situations cut off by a planted problem.
    expected_extra = {"graph-errors.md:37", "structure-errors.md:11", "structure-errors.md:36",
                      "dead-branches.md:49"}
    places = [":".join(line.split(":")[:2]) for line in reported]
    unexplained = [place for place in places
                   if place not in planted_places and place not in expected_extra]
    assert unexplained == []


def test_the_valid_files_beside_the_broken_ones_still_load():
    library = load_library(BROKEN)
    assert "same-id" not in library.scenarios  # neither of two files with one id plays
    assert set(library.broken) == {"dead-branches.md", "dead-end.md", "duplicate-a.md",
                                   "duplicate-b.md", "graph-errors.md", "loop.md",
                                   "scoring-errors.md", "structure-errors.md",
                                   "unclosed-header.md"}


def test_validate_command_fails_on_broken_files_and_prints_each_problem():
    result = run_cli("validate", str(BROKEN))
    assert result.returncode == 1
    for place, message in PLANTED:
        assert f"{place}: " in result.stdout and message in result.stdout


def test_validate_command_passes_on_the_shipped_scenarios():
    result = run_cli("validate", str(SCENARIOS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    files = len([f for f in SCENARIOS.glob("*.md") if f.name != "README.md"])
    assert f"{files} scenario(s) valid, 0 with problems" in result.stderr


def test_the_example_in_the_authors_guide_is_valid():
    library = load_library(CONTENT / "valid")
    assert library.problems == []
    guide = (SCENARIOS / "README.md").read_text()
    example = (CONTENT / "valid" / "late-delivery.md").read_text()
    assert example in guide  # the guide shows exactly the file that is tested
