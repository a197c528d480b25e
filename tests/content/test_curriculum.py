"""The curriculum: every case of the source material as a scenario, grouped in modules."""
from conftest import CONTENT, FLAGSHIPS, SCENARIOS, run_cli

from trainer.engine.report import coverage, figures

NEW_CASES = ["never-yours", "how-was-it", "lost-adapter", "knows-more", "off-topic-question",
             "lost-luggage", "respect-them", "smile-on-the-phone", "team-first"]


def test_every_case_beyond_the_flagships_is_a_scenario(library):
    assert set(NEW_CASES) <= set(library.scenarios)
    assert len(set(library.scenarios) - set(FLAGSHIPS)) >= 8


def test_every_principle_is_honoured_and_violated_in_at_least_three_scenarios(library):
    for row in coverage(list(library.scenarios.values()), list(library.principles)):
        assert len(row.both) >= 3, row


def test_modules_group_every_scenario_with_a_pass_mark_and_time(library):
    modules = library.modules
    assert "onboarding" in modules and len(modules) >= 5
    assert modules["onboarding"].scenarios == tuple(FLAGSHIPS)
    in_a_module = {sid for module in modules.values() for sid in module.scenarios}
    assert in_a_module == set(library.scenarios)
    for module in modules.values():
        assert 1 <= module.pass_mark <= 100 and module.minutes > 0
        assert module.title and module.summary


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
    assert "humour: +" in result.stdout and "onboarding: rude-receptionist" in result.stdout
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
