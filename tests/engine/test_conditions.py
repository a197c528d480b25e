"""Conditions as scenario authors write them."""
import pytest

from trainer.engine.conditions import ConditionError, parse_condition

VALUES = {"trust": 40, "apologised": True, "offers": 0}


@pytest.mark.parametrize("source, expected", [
    ("trust >= 40", True),
    ("trust > 40", False),
    ("trust < 41 and apologised", True),
    ("not apologised", False),
    ("not apologised or offers == 0", True),
    ("offers != 0 or trust <= 10", False),
    ("apologised == false", False),
    ("trust >= 30 and not apologised or offers == 0 and trust == 40", True),
])
def test_condition_evaluates_like_the_guide_says(source, expected):
    assert parse_condition(source).holds(VALUES) is expected


@pytest.mark.parametrize("source", ["", "trust >=", "trust >= high", "and trust", "trust 40",
                                    "(trust > 3)", "trust >>= 3"])
def test_unreadable_condition_is_an_error_not_a_crash(source):
    with pytest.raises(ConditionError):
        parse_condition(source)


def test_condition_lists_its_variables():
    assert parse_condition("trust > 3 and not apologised").variables == {"trust", "apologised"}
