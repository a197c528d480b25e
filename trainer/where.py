"""Where a learner is in a play-through: the decision, about how many there will be, and the
module the scenario belongs to."""
from __future__ import annotations

from dataclasses import dataclass

from trainer.engine.calibrate import decision_range
from trainer.engine.model import Scenario
from trainer.engine.modules import Module
from trainer.engine.play import PlayState
from trainer.store import assignments


@dataclass(frozen=True)
class OnTheWay:
    decision: int  # 1 for the first
    fewest: int  # the fewest decisions this play-through can have in all, from here
    most: int
    module: Module | None  # the learner's assigned module that holds it; None: practice

    @property
    def about(self) -> int:
        """The number to show: the middle of the range, rounded up."""
        return (self.fewest + self.most + 1) // 2


def on_the_way(attempt, scenario: Scenario, state: PlayState) -> OnTheWay:
    done = attempt.step_count
    fewest, most = decision_range(scenario, state)
    return OnTheWay(done + 1, done + fewest, done + most,
                    assignments.assigned_module_holding(attempt.user_id, scenario.id))
