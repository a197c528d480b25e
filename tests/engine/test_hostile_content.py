"""Hostile content files: whatever lands in the scenarios folder, `trainer validate` and the
app's start finish quickly, report each file with its place, and serve the other scenarios."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest
from conftest import SCENARIOS, app_on_folder, login, make_app
from sqlalchemy import select

from trainer.engine import load_library
from trainer.extensions import db
from trainer.models import ScenarioVersion

SHIPPED = sorted(load_library(SCENARIOS).scenarios)
LIMIT_S = 60  # a hang (the alias bomb took hours) fails; the real figure is in the note


def bomb(indent: str = "", levels: int = 9) -> str:
    """Nine levels of nine aliases: under 1 KB of YAML, 9**9 values once expanded."""
    rows = [f"{indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        rows.append(f"{indent}l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(rows)


def scenario(scenario_id: str, situation: str = "It starts.", choices_extra: str = "",
             header_extra: str = "") -> str:
    return f"""---
id: {scenario_id}
title: Hostile {scenario_id}
summary: A file made to break the loader.
role: Tester.
start: a
{header_extra}---

## a

{situation}

```choices
- text: Go on.
  goto: end
  weights: {{courtesy: 1}}
  feedback: Fine.
{choices_extra}- text: Stop.
  goto: end
  weights: {{courtesy: -1}}
  feedback: Not fine.
```

## end

```ending
kind: good
title: The end
```
"""


def hostile_folder(tmp_path):
    """The shipped scenarios beside every hostile scenario file of the probe."""
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    files = {
        "alias-in-choices.md": scenario("alias-in-choices", choices_extra=bomb("  ") + "\n"),
        "alias-in-variables.md": scenario("alias-in-variables", header_extra="variables:\n"
                                          + bomb("  ") + "\n"),
        "huge-situation.md": scenario("huge-situation", situation="word " * 250_000),
        "bom.md": "\ufeff" + scenario("bom"),
        # Sorts before rude-receptionist.md and claims its id.
        "a-takeover.md": scenario("rude-receptionist"),
    }
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    (folder / "huge-file.md").write_bytes(b"---\n" + b"x" * (20 * 1024 * 1024))
    (folder / "latin1.md").write_bytes(scenario("latin1", "Caf\xe9.").encode("latin-1"))
    (folder / "folder.md").mkdir()
    return folder


EXPECTED = [  # file:line and part of the message, for each hostile file
    ("alias-in-choices.md:18", "YAML aliases (*name) are not allowed"),
    ("alias-in-variables.md:8", "YAML aliases (*name) are not allowed"),
    ("huge-situation.md:9", "characters long; the limit is 5,000"),
    ("huge-file.md:1", "the file is 20.0 MB; the limit is 4 MB"),
    ("latin1.md:11", "the file is not UTF-8 text"),
    ("folder.md:1", "this is a folder, not a file"),
    ("a-takeover.md:2", "scenario id 'rude-receptionist' is also claimed by "
                        "rude-receptionist.md"),
]


def validate(folder) -> tuple[subprocess.CompletedProcess, float]:
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "trainer.cli", "validate", str(folder)],
                            capture_output=True, text=True, timeout=LIMIT_S)
    return result, time.monotonic() - began


def test_validate_reports_every_hostile_file_quickly(tmp_path):
    result, _ = validate(hostile_folder(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for place, message in EXPECTED:
        assert any(line.startswith(place + ":") and message in line for line in lines), \
            (place, message, result.stdout)
    # Without a published copy to prefer, neither claimant of one id plays.
    assert any(line.startswith("rude-receptionist.md:2:") and "a-takeover.md" in line
               for line in lines)
    assert [line for line in lines if line.startswith("bom.md") and "warning" not in line] \
        == []  # a byte-order mark is no problem
    assert sum("aliases" in line for line in lines) == 2  # once per file, not per alias
    assert "Traceback" not in result.stderr


def test_the_app_starts_on_hostile_files_and_serves_the_other_scenarios(tmp_path):
    folder = tmp_path / "first"
    shutil.copytree(SCENARIOS, folder)
    app, client = app_on_folder(tmp_path, folder)
    assert client.post("/scenarios/rude-receptionist/attempts").status_code == 302  # stored
    with app.app_context():
        db.engine.dispose()

    hostile = hostile_folder(tmp_path / "later")
    began = time.monotonic()
    app = make_app(tmp_path, SCENARIOS_DIR=str(hostile))
    assert time.monotonic() - began < LIMIT_S
    client = app.test_client()
    login(client, "ann")
    page = client.get("/scenarios").text
    for place, message in EXPECTED[:-1]:
        assert place.split(":")[0] in page and message in page
    # The published file keeps its id; the newcomer is refused, loudly.
    assert "it stays published from rude-receptionist.md, and this file is refused" in page
    assert "Hostile rude-receptionist" not in client.get("/scenarios/rude-receptionist").text
    for scenario_id in [*SHIPPED, "bom"]:
        assert client.get(f"/scenarios/{scenario_id}").status_code == 200, scenario_id
    with app.app_context():
        files = set(db.session.scalars(select(ScenarioVersion.file)))
        assert files == {"rude-receptionist.md"}
        db.engine.dispose()


@pytest.mark.parametrize("name", ["modules.yaml", "principles.yaml"])
def test_a_catalogue_file_that_is_not_utf8_or_an_alias_bomb_is_a_reported_problem(tmp_path,
                                                                                  name):
    for case, content in (("latin1", "- id: caf\xe9\n".encode("latin-1")),
                          ("bomb", bomb().encode()), ("folder", None)):
        folder = tmp_path / case / "scenarios"
        shutil.copytree(SCENARIOS, folder)
        (folder / name).unlink()
        if content is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(content)
        result, _ = validate(folder)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"{name}:" in result.stdout, (case, result.stdout)
        library = load_library(folder)
        if name == "modules.yaml":  # the scenarios still play; only the modules are gone
            assert sorted(library.scenarios) == SHIPPED and library.modules == {}
