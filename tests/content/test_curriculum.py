"""The curriculum: every case of the source material as a scenario, grouped in modules."""
from conftest import CONTENT, FLAGSHIPS, SCENARIOS, run_cli

from trainer.engine.report import coverage, figures
from trainer.engine.tells import tells

NEW_CASES = ["never-yours", "how-was-it", "lost-adapter", "knows-more", "off-topic-question",
             "lost-luggage", "respect-them", "smile-on-the-phone", "team-first"]


NEW_IN_THE_REVISION = {
    "angry-caller": "an angry, abusive caller, and when to end the call",
    "over-the-limit": "saying no, and escalating what is beyond your authority",
    "complaint-email": "an email complaint",
    "the-song-goes-viral": "a public post, the viral song from the company's side",
    "relay-call": "a Deaf caller through a relay service",
    "ticket-machine": "a language barrier and low digital literacy",
    "someone-elses-booking": "privacy: a caller asking about someone else's booking",
    "the-handover": "the internal customer: a handover that fails the customer",
    "play-before-you-sell": "ethical upselling: staff who play the games they sell",
    "backing-the-front-line": "a team lead coaching and backing the front line",
}
# Fundamentals first: first contact, when things go wrong, when the rules are in the way,
# loyalty; then a track for team leads.
ORDER = ["onboarding", "first-contact", "things-go-wrong", "rules-in-the-way",
         "loyalty-every-day", "team-leads"]


def test_every_case_of_the_seeds_and_every_case_a_buyer_expects_is_a_scenario(library):
    assert set(NEW_CASES) | set(NEW_IN_THE_REVISION) <= set(library.scenarios)
    assert len(library.scenarios) >= 20


def test_every_principle_is_honoured_and_violated_in_at_least_four_scenarios(library):
    for row in coverage(list(library.scenarios.values()), list(library.principles)):
        assert len(row.both) >= 4, row


def test_modules_hold_every_scenario_once_fundamentals_first(library):
    modules = library.modules
    assert list(modules) == ORDER
    held = [sid for module in modules.values() for sid in module.scenarios]
    assert sorted(held) == sorted(library.scenarios)  # each scenario in exactly one module
    assert {"team-first", "backing-the-front-line"} <= set(modules["team-leads"].scenarios)
    for module in modules.values():
        assert 1 <= module.pass_mark <= 100 and module.minutes > 0
        assert module.title and module.summary
        assert 2 <= len(module.scenarios) <= 5


def test_the_tells_targets_hold_over_the_curriculum(library):
    """A guesser reading the surface (the longest option, the customer's name, an apology)
    gains nothing; hand-offs are sometimes right; many decisions offer a good and a better
    move."""
    found = tells(list(library.scenarios.values()), library.pass_mark)
    assert found.misses() == [], found.as_dict()
    assert found.as_dict()["decisions"] >= 200
    assert len(found.guessed) <= len(library.scenarios) // 10, found.guessed


def test_the_best_answer_is_shown_in_every_position(library):
    for scenario in library.scenarios.values():
        positions = figures(scenario).best_positions
        assert {1, 2} <= set(positions), (scenario.id, positions)
        # No place holds the best answer much more often than an even share would.
        total, places = sum(positions.values()), len([p for p in positions if p <= 3])
        assert max(positions.values()) < 1.5 * total / places, (scenario.id, positions)


def test_content_report_prints_every_scenario_and_the_coverage():
    result = run_cli("content-report", str(SCENARIOS))
    assert result.returncode == 0, result.stderr
    for scenario_id in FLAGSHIPS + NEW_CASES:
        assert f"\n{scenario_id}\n" in "\n" + result.stdout
    assert "humour: +" in result.stdout and "\n  onboarding: " in result.stdout
    assert result.stdout.rstrip().endswith("minimums: every minimum met")


def test_content_report_names_what_a_thin_scenario_lacks(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("principles.yaml", "late-delivery.md"):
        (folder / name).write_text((CONTENT / "valid" / name).read_text())
    result = run_cli("content-report", str(folder))
    assert "minimums: NOT met" in result.stdout
    assert "late-delivery: 4 situations, fewer than 10" in result.stdout
    assert "late-delivery: a path with only 2 decisions" in result.stdout


JSON_KEYS = {"id", "decisions_min", "decisions_max", "random_pass_rate", "one_slip_pass_rate",
             "good_but_failed_paths", "best_every_time_ending", "pass_mark", "paths"}


def test_content_report_json_gives_the_calibration_of_every_scenario(library):
    import json

    result = run_cli("content-report", "--json", str(SCENARIOS))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == sorted(library.scenarios)
    for row in rows:
        assert set(row) == JSON_KEYS
        assert row["pass_mark"] == library.pass_mark(row["id"])
        assert row["random_pass_rate"] <= 10 and row["one_slip_pass_rate"] >= 60, row
        assert row["best_every_time_ending"] == "good"
        assert 3 <= row["decisions_min"] <= row["decisions_max"]


def test_validate_warns_of_a_badly_calibrated_scenario_without_failing(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("principles.yaml", "late-delivery.md"):
        (folder / name).write_text((CONTENT / "valid" / name).read_text())
    result = run_cli("validate", str(folder))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "late-delivery.md:1: warning: 25.0% of random play-throughs pass at pass mark 75 "
        "(aim for at most 10%)",
        "late-delivery.md:1: warning: only 0.0% of play-throughs with one slip pass at pass "
        "mark 75 (aim for at least 60%)"]
    assert "2 calibration warning(s)" in result.stderr
