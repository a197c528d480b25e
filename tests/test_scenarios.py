"""Every shipped scenario, checked against the engine by brute force and against the minimums."""
import pytest
from conftest import FLAGSHIPS, SHIPPED
from engine_paths import all_paths

from trainer.engine import (
    Solver,
    apply_choice,
    available_choices,
    best_path,
    review,
    score,
    start,
)


@pytest.fixture(params=SHIPPED)
def scenario(request, library):
    return library.scenarios[request.param]


@pytest.fixture
def paths(scenario):
    return all_paths(scenario)


def test_shipped_scenarios_have_no_problems(library):
    assert library.problems == []
    assert set(FLAGSHIPS) <= set(library.scenarios)


def test_best_score_equals_brute_force_maximum(scenario, paths):
    assert Solver(scenario).best_points() == max(points for _, _, points in paths)


def test_best_path_scores_100_percent(scenario):
    path = best_path(scenario)
    assert score(scenario, path).percent == 100
    assert all(d.is_best for d in review(scenario, path))


def test_scoring_a_path_is_exact(scenario, paths):
    best = Solver(scenario).best_points()
    for path, _, points in paths:
        result = score(scenario, path)
        expected = {}
        for node_id, choice_id in path:
            for principle, weight in scenario.nodes[node_id].choice(choice_id).weights.items():
                expected[principle] = expected.get(principle, 0) + weight
        assert result.by_principle == expected
        assert result.points == points and result.best_points == best
        assert result.percent == max(0, min(100, round(100 * points / best)))


def test_every_node_is_reached_by_some_path(scenario, paths):
    visited = set()
    for path, end, _ in paths:
        visited.update([node for node, _ in path] + [end])
    assert visited == set(scenario.nodes)


def test_every_path_ends_after_at_least_three_decisions(scenario, paths):
    for path, end, _ in paths:
        assert scenario.nodes[end].ending is not None
        assert len(path) >= 3, path


def test_content_minimums(scenario):
    assert len(scenario.nodes) >= (12 if scenario.id in FLAGSHIPS else 10)
    kinds = {node.ending.kind for node in scenario.endings}
    assert kinds == {"good", "mixed", "bad"}
    assert scenario.real_case
    # The trust meter is used: some choice changes it and some condition tests it.
    assert any("trust" in c.change for n in scenario.nodes.values() for c in n.choices)
    assert any((c.condition and "trust" in c.condition.variables)
               or any(r.condition and "trust" in r.condition.variables for r in c.routes)
               for n in scenario.nodes.values() for c in n.choices)


def test_an_early_slip_changes_where_a_later_answer_leads(scenario, paths):
    """Some choice's destination depends on the state earlier choices left behind."""
    outcomes = {}
    for path, _, _ in paths:
        state = start(scenario)
        for node_id, choice_id in path:
            after = apply_choice(scenario, state, choice_id)
            outcomes.setdefault((node_id, choice_id), set()).add(after.node)
            state = after
    assert any(len(targets) > 1 for targets in outcomes.values())


def test_each_decision_offers_at_least_two_options(scenario, paths):
    for path, _, _ in paths:
        state = start(scenario)
        for _, choice_id in path:
            assert len(available_choices(scenario, state)) >= 2
            state = apply_choice(scenario, state, choice_id)


def test_the_best_answer_is_not_simply_the_longest(scenario):
    """Plausible options: along the best path, the longest option is not always the best."""
    path = best_path(scenario)
    longest_is_best = sum(max(scenario.nodes[node_id].choices, key=lambda c: len(c.text)).id
                          == choice_id for node_id, choice_id in path)
    assert longest_is_best < len(path)


def test_every_principle_is_exercised_by_the_flagships(library):
    touched = set().union(*(library.scenarios[s].principles_touched for s in FLAGSHIPS))
    assert touched == set(library.principles)
