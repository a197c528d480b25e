"""The tells: surface features of an option that give the best one away to a guesser.

A decision here is a situation with choices, judged over all its options. The figures are
shares of decisions (or of options) in percent; the targets are the curriculum's, not one
scenario's, since a single scenario has too few decisions for a share to mean much."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from trainer.engine.model import Choice, Scenario
from trainer.engine.play import apply_choice, available_choices, start
from trainer.engine.score import passes, score

MAX_LONGEST_BEST = 40  # percent of decisions whose best option is the longest
MAX_TELL_GAP = 5  # points: a name, an apology or a hand-off no commoner in best options
HANDOFF_PER_SCENARIOS = 7  # at least one decision in every so many scenarios (rounded up)
MIN_TWO_GOOD = 100 / 3  # percent of decisions offering two options that score above zero

APOLOGY = re.compile(r"\b(sorry|apologi[sz]e[sd]?|apologies|apologising|apologizing)\b", re.I)
# Passing the customer to someone else: a transfer, a ticket, a supervisor, a call back.
HANDOFF = re.compile(
    r"\b(transfer\w*|put (you|her|him|them) through|connect (you|her|him|them) (to|with)"
    r"|ticket|supervisor|duty manager|(call|ring|phone) (you|her|him|them) back|callback"
    r"|escalat\w*|hand (it|this|you|her|him|them) (over|on)|pass (it|this) (on|up|to))\b",
    re.I)
WORD = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")
SENTENCE_END = re.compile(r"(^|[.!?:;\"“”'(*-]\s*|\n)$")
NOT_NAMES = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December OK Okay English German Polish "
    "Russian Spanish Portuguese French Italian Ukrainian Jewish".split())


def names_in(scenario: Scenario) -> frozenset[str]:
    """People's names as the scenario writes them: capitalised words never written in lower
    case anywhere in the file, met in the middle of a sentence at least once."""
    text = "\n".join([n.text for n in scenario.nodes.values()]
                     + [f"{c.text}\n{c.feedback}" for n in scenario.nodes.values()
                        for c in n.choices])
    lower = {w.lower() for w in re.findall(r"\b[a-z][a-z-]+\b", text)}
    found = set()
    for match in WORD.finditer(text):
        word = match.group()
        if word in NOT_NAMES or word.lower() in lower:
            continue
        if not SENTENCE_END.search(text[max(0, match.start() - 3):match.start()]):
            found.add(word)
    return frozenset(found - {"Mr", "Mrs", "Ms", "Miss", "Dr"})


def says_name(choice: Choice, names: frozenset[str]) -> bool:
    return any(word in names for word in WORD.findall(choice.text))


def apologises(choice: Choice) -> bool:
    return bool(APOLOGY.search(choice.text))


def hands_off(choice: Choice) -> bool:
    return bool(HANDOFF.search(choice.text))


@dataclass
class Tells:
    """Counts over many decisions; the shares and the verdict are derived from them."""

    decisions: int = 0
    longest_best: int = 0  # decisions whose best option is (one of) the longest
    two_good: int = 0  # decisions with at least two options scoring above zero
    handoff_best: list[str] = field(default_factory=list)  # "scenario/node" where it is best
    best_options: int = 0
    other_options: int = 0
    name_best: int = 0
    name_other: int = 0
    apology_best: int = 0
    apology_other: int = 0
    handoff_other: int = 0  # other options that hand the customer on
    guessed: list[str] = field(default_factory=list)  # scenarios a tell-reading guesser passes
    scenarios: int = 0

    def add(self, scenario: Scenario, pass_mark: int) -> None:
        self.scenarios += 1
        names = names_in(scenario)
        for node in scenario.nodes.values():
            if not node.choices:
                continue
            best = max(node.choices, key=lambda c: c.points)
            self.decisions += 1
            self.longest_best += len(best.text) == max(len(c.text) for c in node.choices)
            self.two_good += sum(c.points > 0 for c in node.choices) >= 2
            if hands_off(best):
                self.handoff_best.append(f"{scenario.id}/{node.id}")
            for choice in node.choices:
                is_best = choice.points == best.points
                self.best_options += is_best
                self.other_options += not is_best
                self.handoff_other += hands_off(choice) and not is_best
                if says_name(choice, names):
                    self.name_best += is_best
                    self.name_other += not is_best
                if apologises(choice):
                    self.apology_best += is_best
                    self.apology_other += not is_best
        if _guesser_passes(scenario, names, pass_mark):
            self.guessed.append(scenario.id)

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return round(100.0 * part / whole, 1) if whole else 0.0

    def as_dict(self) -> dict:
        return {
            "decisions": self.decisions,
            "longest_best": self._share(self.longest_best, self.decisions),
            "name_in_best": self._share(self.name_best, self.best_options),
            "name_in_others": self._share(self.name_other, self.other_options),
            "apology_in_best": self._share(self.apology_best, self.best_options),
            "apology_in_others": self._share(self.apology_other, self.other_options),
            "handoff_best": len(self.handoff_best),
            "handoff_in_best": self._share(len(self.handoff_best), self.best_options),
            "handoff_in_others": self._share(self.handoff_other, self.other_options),
            "two_good": self._share(self.two_good, self.decisions),
            "guesser_passes": len(self.guessed),
            "scenarios": self.scenarios,
        }

    def misses(self) -> list[str]:
        """The targets not met, one sentence each."""
        f, found = self.as_dict(), []
        if f["longest_best"] > MAX_LONGEST_BEST:
            found.append(f"the best option is the longest in {f['longest_best']}% of "
                         f"decisions (at most {MAX_LONGEST_BEST}%)")
        for tell in ("name", "apology", "handoff"):
            gap = f[f"{tell}_in_best"] - f[f"{tell}_in_others"]
            if gap > MAX_TELL_GAP:
                found.append(f"{f[f'{tell}_in_best']}% of best options and "
                             f"{f[f'{tell}_in_others']}% of the others carry {tell_word(tell)}"
                             f" (at most {MAX_TELL_GAP} points apart)")
        least = -(-self.scenarios // HANDOFF_PER_SCENARIOS)
        if f["handoff_best"] < least:
            found.append(f"handing the customer on is the best move in {f['handoff_best']} "
                         f"decisions (at least {least})")
        if f["two_good"] < MIN_TWO_GOOD:
            found.append(f"only {f['two_good']}% of decisions offer two options scoring above "
                         f"zero (at least a third)")
        return found


def tell_word(tell: str) -> str:
    return {"name": "a name", "apology": "an apology", "handoff": "a hand-off"}[tell]


def tells(scenarios: list[Scenario], pass_mark_of) -> Tells:
    found = Tells()
    for scenario in sorted(scenarios, key=lambda s: s.id):
        found.add(scenario, pass_mark_of(scenario.id))
    return found


def _guess(options: list[Choice], names: frozenset[str]) -> Choice:
    """A guesser reading the tells: the option with the name, else an apology, else the
    longest (the first of equals)."""
    for tell in (lambda c: says_name(c, names), apologises):
        marked = [c for c in options if tell(c)]
        if marked:
            return max(marked, key=lambda c: len(c.text))
    return max(options, key=lambda c: len(c.text))


def _guesser_passes(scenario: Scenario, names: frozenset[str], pass_mark: int) -> bool:
    state, path = start(scenario), []
    while scenario.nodes[state.node].ending is None:
        choice = _guess(available_choices(scenario, state), names)
        path.append((state.node, choice.id))
        state = apply_choice(scenario, state, choice.id)
    ending = scenario.nodes[state.node].ending.kind
    return passes(score(scenario, path).percent, ending, pass_mark)
