"""Generated scenario files: layered branching stories with the trust meter and conditions.

Used twice: a 2,000-node scenario times the engine, and small ones (about a dozen decisions a
path) fill the synthetic organisation's modules so attempts have realistic step counts.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

PRINCIPLES = ["exceed-expectations", "anticipate-needs", "earn-loyalty", "courtesy",
              "rules-serve-customer", "own-mistakes", "empower-front-line", "seek-feedback",
              "warmth", "humour"]
PROSE = ("The customer waits at the counter while the queue behind them grows; what they "
         "want is simple, but the rules you were given do not quite cover it, and the "
         "colleague who would know is on a break.")


def scenario_text(scenario_id: str, layers: int, width: int, seed: int = 1) -> str:
    """A scenario of `layers` rows of `width` situations; the last row holds the endings.

    Every situation offers three options: one always open, one only while trust is high
    (`if`), one whose route depends on trust and a flag set earlier. The first rows fan out
    three ways; after that each situation is the always-open option's target from the one
    above it, so every situation is reachable.
    """
    rng = random.Random(seed)
    palette = rng.sample(PRINCIPLES, 7)  # the shipped scenarios touch 7 principles on average
    out = ["---", f"id: {scenario_id}", f"title: Generated {scenario_id}",
           "summary: A generated scenario for the benchmark.", "role: You serve customers.",
           "start: n0-0", "variables:", "  trust: 50", "  apologised: false", "---", ""]
    widths = [1]
    while len(widths) < layers:  # the first rows fan out three ways until `width`
        widths.append(min(width, 3 * widths[-1]))
    for layer in range(layers):
        for i in range(widths[layer]):
            out += [f"## n{layer}-{i}", "", f"{PROSE} (situation {layer}.{i})", ""]
            if layer == layers - 1:
                kind = ("good", "mixed", "bad")[i % 3]
                out += ["```ending", f"kind: {kind}", f"title: Ending {i}", "```", ""]
                continue
            nxt, room = layer + 1, widths[layer + 1]
            targets = [3 * i + k for k in range(3)] if room > widths[layer] else \
                [i % room, rng.randrange(room), rng.randrange(room)]
            targets = [t % room for t in targets]
            out += ["```choices"]
            out += _choice(rng, palette, f"n{nxt}-{targets[0]}", None, "warm")
            fanning = room > widths[layer]  # no condition there, so every target is reached
            out += _choice(rng, palette, f"n{nxt}-{targets[1]}",
                           None if fanning else "trust >= 40", "bold")
            ending = f"n{layers - 1}-{2 if widths[-1] > 2 else 0}"
            routes = [("trust < 20 and not apologised", ending), (None, f"n{nxt}-{targets[2]}")]
            out += _choice(rng, palette, routes[1][1] if fanning else routes, None, "curt")
            out += ["```", ""]
    out += ["# What really happened", "", "Nothing: this scenario was generated.", ""]
    return _best_play_ends_well("\n".join(out))


def _best_play_ends_well(text: str) -> str:
    """Swap ending kinds so that the best option at every decision ends well, as validation
    asks of every scenario: the ending it reaches becomes good, and a good one takes its kind."""
    import re

    from trainer.engine import parse_scenario
    from trainer.engine.score import follow

    scenario, _ = parse_scenario(text, "generated.md")
    end = follow(scenario)[1]
    kind = scenario.nodes[end].ending.kind
    if kind == "good":
        return text
    other = next(n.id for n in scenario.endings if n.ending.kind == "good")

    def set_kind(source: str, node: str, new: str) -> str:
        return re.sub(rf"(## {node}\n(?:.*\n)*?kind: )\w+", rf"\g<1>{new}", source, count=1)

    return set_kind(set_kind(text, end, "good"), other, kind)


def layers_for(nodes: int, width: int) -> int:
    """How many rows make at least `nodes` situations at this width."""
    total, row, layers = 0, 1, 0
    while total < nodes:
        total, layers, row = total + row, layers + 1, min(width, 3 * row)
    return layers


def _choice(rng: random.Random, palette: list[str], goto, condition: str | None,
            tone: str) -> list[str]:
    principles = rng.sample(palette, 2)
    sign = -1 if tone == "curt" else 1
    weights = ", ".join(f"{p}: {sign * rng.randint(1, 3)}" for p in principles)
    lines = [f"- text: \"A {tone} answer to the customer ({rng.randint(1, 999)}).\""]
    if isinstance(goto, str):
        lines.append(f"  goto: {goto}")
    else:
        lines.append("  goto:")
        for cond, target in goto:
            lines += [f"    - if: {cond}", f"      to: {target}"] if cond else \
                [f"    - to: {target}"]
    if condition:
        lines.append(f"  if: {condition}")
    lines += [f"  weights: {{{weights}}}",
              f"  feedback: \"Why this {tone} answer scores as it does, naming the principle.\"",
              f"  change: {{trust: {sign * rng.choice([5, 10, 15])}}}"]
    if tone == "warm" and rng.random() < 0.3:
        lines.append("  set: {apologised: true}")
    return lines


def library_folder(target: Path, source: Path, extra_scenarios: int, decisions: int,
                   modules: int) -> list[str]:
    """A scenarios folder for the benchmark: the shipped files, `extra_scenarios` generated
    ones, and a modules.yaml with the shipped modules plus generated ones up to `modules`.
    Returns the generated scenario ids."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    ids = [f"generated-{n:02d}" for n in range(1, extra_scenarios + 1)]
    for n, scenario_id in enumerate(ids, start=1):
        (target / f"{scenario_id}.md").write_text(
            scenario_text(scenario_id, decisions + 1, 3, seed=n), "utf-8")
    shipped = (target / "modules.yaml").read_text("utf-8")
    count = shipped.count("\n- id: ") + shipped.startswith("- id: ")
    extra = []
    for n in range(modules - count):
        chosen = [ids[(3 * n + k) % len(ids)] for k in range(3)]
        extra.append(f"\n- id: generated-module-{n + 1:02d}\n"
                     f"  title: Generated module {n + 1}\n"
                     f"  summary: Three generated scenarios.\n"
                     f"  scenarios: [{', '.join(chosen)}]\n  pass_mark: 70\n  minutes: 30\n")
    (target / "modules.yaml").write_text(shipped.rstrip("\n") + "\n" + "".join(extra), "utf-8")
    return ids
