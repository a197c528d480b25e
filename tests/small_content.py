"""A small scenarios folder for tests of the organisation, assignments and reports.

Clones of one tiny valid scenario under several ids, the test principles catalogue and a
modules file of our own: fast to load, and unaffected by edits to the shipped scenarios.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CONTENT

VALID = CONTENT / "valid"
SCENARIO_IDS = ("late-delivery", "wrong-size", "cold-soup", "long-queue")

# id -> (title, scenarios, pass mark); a scenario has one pass mark in every module.
MODULES = {
    "onboarding": ("Onboarding for tests", ("late-delivery", "wrong-size"), 70),
    "first-contact": ("First contact", ("late-delivery", "cold-soup"), 70),
    "queues": ("Queues", ("long-queue",), 80),
}
AT_END = {"queues"}  # assessments: every lesson waits for the debrief


def write_content(folder: Path) -> Path:
    """Fill `folder` with the small scenarios folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(VALID / "principles.yaml", folder / "principles.yaml")
    template = (VALID / "late-delivery.md").read_text("utf-8")
    for number, scenario_id in enumerate(SCENARIO_IDS):
        text = template.replace("id: late-delivery", f"id: {scenario_id}", 1) \
            .replace("title: The late delivery", f"title: Case {number} ({scenario_id})", 1)
        (folder / f"{scenario_id}.md").write_text(text, "utf-8")
    (folder / "modules.yaml").write_text("".join(
        f"- id: {module_id}\n  title: \"{title}\"\n  summary: For tests.\n"
        f"  scenarios: [{', '.join(scenarios)}]\n  pass_mark: {mark}\n  minutes: 10\n"
        + ("  feedback: at-end\n" if module_id in AT_END else "")
        for module_id, (title, scenarios, mark) in MODULES.items()), "utf-8")
    return folder

