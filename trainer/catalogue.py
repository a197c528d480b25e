"""The scenario catalogue: what a learner sees of each scenario before playing it (channel,
about how long, how hard, which principles, which module), and the filters over it."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from trainer.engine.calibrate import calibrate, decision_range
from trainer.engine.cast import CHANNELS  # noqa: F401  (the page lists them)
from trainer.engine.model import Library, Scenario
from trainer.store.assignments import (
    COMPLETED,
    IN_PROGRESS,
    NOT_PASSED,
    NOT_STARTED,
    OVERDUE,
    PASSED,
    RENEWAL_DUE,
)

MINUTES_PER_DECISION = 1.5  # reading the situation, choosing, reading what follows
DIFFICULTIES = ("foundation", "intermediate", "advanced")
STATUSES = (NOT_STARTED, IN_PROGRESS, NOT_PASSED, PASSED)
# How difficulty is read off the calibration (shown on the page, so learners can trust it).
DIFFICULTY_RULE = _l("Foundation: a single slip never costs you the pass, and no route is long. "
                     "Advanced: one slip among otherwise good choices often fails. Intermediate: "
                     "in between. (Measured by playing every route of the scenario.)")
# What the pages show for each value (the values themselves are keys: in addresses, classes and
# the database). Lower case, as in a sentence; the pages capitalise them where they lead.
CHANNEL_NAMES = {"phone": _l("phone"), "face to face": _l("face to face"), "chat": _l("chat"),
                 "email": _l("email"), "public": _l("public")}
DIFFICULTY_NAMES = {"foundation": _l("foundation"), "intermediate": _l("intermediate"),
                    "advanced": _l("advanced")}
# A module's status (trainer/store/assignments.py) and a scenario's, for one person.
STATUS_NAMES = {NOT_STARTED: _l("not started"), IN_PROGRESS: _l("in progress"),
                COMPLETED: _l("completed"), OVERDUE: _l("overdue"),
                RENEWAL_DUE: _l("renewal due"), PASSED: _l("passed"),
                NOT_PASSED: _l("not passed yet")}
# An ending's kind, alone (a table's Ending column) and as a phrase.
ENDING_KINDS = {"good": _l("good"), "mixed": _l("mixed"), "bad": _l("bad")}
ENDING_NAMES = {"good": _l("good ending"), "mixed": _l("mixed ending"), "bad": _l("bad ending")}


@dataclass(frozen=True)
class Entry:
    scenario: Scenario
    channel: str
    minutes: int
    difficulty: str
    principles: tuple[str, ...]  # ids, in the catalogue's order
    module_id: str | None
    module_title: str


_MEASURED: dict[tuple[str, int], tuple[int, str]] = {}  # (version, pass mark) -> figures


def _measured(scenario: Scenario, pass_mark: int) -> tuple[int, str]:
    """Minutes and difficulty, measured once per version of a file (a digest of its text)."""
    key = (scenario.version, pass_mark)
    if key not in _MEASURED:
        _MEASURED[key] = _measure(scenario, pass_mark)
    return _MEASURED[key]


def _measure(scenario: Scenario, pass_mark: int) -> tuple[int, str]:
    fewest, most = decision_range(scenario)
    minutes = max(5, 5 * round((fewest + most) / 2 * MINUTES_PER_DECISION / 5))
    c = calibrate(scenario, pass_mark)
    if c.one_slip_pass_rate < 100 * 6 / 7:
        difficulty = "advanced"
    elif c.one_slip_pass_rate == 100 and most <= 9:
        difficulty = "foundation"
    else:
        difficulty = "intermediate"
    return minutes, difficulty


def entries(library: Library) -> list[Entry]:
    order = list(library.principles)
    found = []
    for scenario in sorted(library.scenarios.values(), key=lambda s: s.title):
        minutes, difficulty = _measured(scenario, library.pass_mark(scenario.id))
        module = library.module_of(scenario.id)
        touched = sorted(scenario.principles_touched,
                         key=lambda p: order.index(p) if p in order else len(order))
        found.append(Entry(scenario, scenario.channel, minutes, difficulty, tuple(touched),
                           module.id if module else None, module.title if module else ""))
    return found


@dataclass(frozen=True)
class Filters:
    channel: str = ""
    difficulty: str = ""
    principle: str = ""
    module: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args, library: Library) -> Filters:
        """Only known values count; anything else is no filter (a hand-edited address)."""
        def known(name: str, allowed) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""
        return cls(known("channel", CHANNELS), known("difficulty", DIFFICULTIES),
                   known("principle", library.principles), known("module", library.modules),
                   known("status", STATUSES))

    @property
    def active(self) -> bool:
        return any(vars(self).values())

    def keep(self, entry: Entry, status: str) -> bool:
        return ((not self.channel or entry.channel == self.channel)
                and (not self.difficulty or entry.difficulty == self.difficulty)
                and (not self.principle or self.principle in entry.principles)
                and (not self.module or entry.module_id == self.module)
                and (not self.status or status == self.status))
