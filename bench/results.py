"""The results' summary: bench/results/README.md, a table per database and every goal."""
from __future__ import annotations

import json
from pathlib import Path

DATABASES = ("sqlite", "postgresql")


def goals(run: dict, engine: dict | None) -> list[tuple[str, str, bool | None]]:
    """(goal, figure, met) for one database's run; None: not measured in this run."""
    play = run.get("play", {}).get("stats", {}).get("choice", {})
    trivial = run.get("trivial", {}).get("stats", {}).get("healthz", {})
    ratio = play.get("per_second", 0) / trivial["per_second"] if trivial.get("per_second") \
        else None
    page = run.get("reports", {}).get("page", {})
    export = run.get("full_export", {})
    rows = []
    rows.append(("choice throughput >= 30% of the trivial endpoint's",
                 f"{play.get('per_second')} / {trivial.get('per_second')} req/s = "
                 f"{ratio:.0%}" if ratio is not None else "not run",
                 None if ratio is None else ratio >= 0.30))
    users = run.get("play", {}).get("users")
    rows.append((f"choice p95 < 50 ms with {users} players (no think time), no errors",
                 f"p95 {play.get('p95_ms')} ms, {play.get('failures')} errors",
                 None if not play else play["p95_ms"] < 50 and play["failures"] == 0))
    rows.append(("HR completion report p50 < 300 ms", f"p50 {page.get('p50_ms')} ms",
                 None if not page else page["p50_ms"] < 300))
    rows.append((f"CSV export of {export.get('rows', 0):,} rows streams, growth < 50 MB",
                 f"{export.get('peak_growth_mb')} MB", None if not export else
                 export["peak_growth_mb"] < 50 and export["rows"] >= 200_000))
    if engine:
        rows.append(("engine: 2,000-node scenario validates and scores < 1 s",
                     f"{engine['validate_and_score_s']} s", engine["validate_and_score_s"] < 1))
        branch_map = engine.get("branch_map")
        if branch_map:
            rows.append((f"author's map of {branch_map['situations']:,} situations renders < 2 s",
                         f"page {branch_map['page_median_s']} s (layout "
                         f"{branch_map['layout_median_s']} s), median",
                         branch_map["page_median_s"] < 2))
        rows.append(("SQL statements per page do not grow with the data",
                     engine.get("query_count_test", "not run"),
                     "passed" in engine.get("query_count_test", "")
                     and "failed" not in engine.get("query_count_test", "")))
    return rows


def _cpu_per_request(load: dict) -> str:
    """The workers' CPU time per request of any kind in the run (all pages of the loop)."""
    total = load["stats"].get("Aggregated", {}).get("per_second")
    if not total:
        return ""
    return f"{load['server_workers_cpu_percent'] * 10 / total:.1f}"


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def write_summary(out: Path) -> None:
    runs = {name: json.loads((out / f"{name}.json").read_text())
            for name in DATABASES if (out / f"{name}.json").exists()}
    engine_file = out / "engine.json"
    engine = json.loads(engine_file.read_text())["engine"] if engine_file.exists() else None
    lines = ["# Benchmark results", "",
             "Written by `python -m bench` (see bench/README.md); the JSON files beside this "
             "one hold every figure.", ""]
    for name, run in runs.items():
        m = run["machine"]
        lines += [f"## {name}", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
                  f"Python {m['python']}, SQLite {m['sqlite']}"
                  + (f", PostgreSQL {m['postgresql']}" if "postgresql" in m else "")
                  + f". Server: {run.get('workers')}. Scale {run.get('scale')}.", ""]
        gen = run.get("generation")
        if gen:
            rows = gen["rows"]
            lines += [f"Data: {rows.get('users', 0):,} people, {rows.get('departments', 0)} "
                      f"departments, {rows.get('teams', 0)} teams, "
                      f"{rows.get('assignments', 0):,} assignments, "
                      f"{rows.get('attempts', 0):,} attempts, {rows.get('steps', 0):,} steps, "
                      f"{rows.get('attempt_principles', 0):,} principle results; generated "
                      f"and bulk-loaded in {gen['total_seconds']} s "
                      f"(steps: {gen['insert_seconds'].get('steps')} s); database "
                      f"{run.get('database_bytes', 0) / 2**20:,.0f} MB.", ""]
        lines += ["| measure | p50 ms | p95 ms | p99 ms | req/s | errors | load gen CPU | "
                  "server CPU ms/request |", "|---|---|---|---|---|---|---|---|"]
        for key, label in (("trivial", "trivial endpoint /healthz"),
                           ("play", "choice submission, no think time"),
                           ("play_paced", "choice submission, paced")):
            load = run.get(key)
            if not load:
                continue
            stat = load["stats"].get("healthz" if key == "trivial" else "choice", {})
            extra = f" ({load['think_seconds']} s think)" if "think_seconds" in load else ""
            lines.append(f"| {label}{extra}, {load['users']} users | {stat.get('p50_ms')} | "
                         f"{stat.get('p95_ms')} | {stat.get('p99_ms')} | "
                         f"{stat.get('per_second')} | {stat.get('failures')} | "
                         f"{load['load_generator_cpu_percent']}% | {_cpu_per_request(load)} |")
        for key, label in (("page", "HR report page /reports/"),
                           ("overdue_csv", "overdue CSV"), ("team_csv", "team CSV")):
            r = run.get("reports", {}).get(key)
            if r:
                lines.append(f"| {label} ({r['lines'] - (1 if 'csv' in key else 0):,} "
                             f"{'rows' if 'csv' in key else 'lines'}) | {r['p50_ms']} | "
                             f"{r['p95_ms']} | | | | | |")
        export = run.get("full_export")
        if export:
            lines.append(f"| full overdue CSV, {export['rows']:,} rows (one request) | "
                         f"{export['seconds'] * 1000:.0f} | | | | | | |")
        lines += ["", "| goal | figure | |", "|---|---|---|"]
        lines += [f"| {g} | {figure} | {_mark(met)} |" for g, figure, met in goals(run, engine)]
        lines.append("")
    if engine:
        lines += ["## engine", "",
                  f"A generated scenario of {engine['nodes']:,} situations "
                  f"({engine['decisions_per_path']} decisions a path, trust meter, a flag, "
                  f"conditions on options and routes): load (parse) {engine['load_s']} s; "
                  f"validate {engine['validate_s']} s (walks all "
                  f"{engine['states_explored']:,} reachable states and solves each one's best "
                  f"score); best score from that solver {engine['best_score_s']} s; the same "
                  f"on a fresh solver {engine.get('best_score_fresh_solver_s')} s. "
                  f"Fastest of five runs. Calibration (`trainer content-report`: 10,000 "
                  f"seeded random play-throughs, as the paths are too many to walk, and every "
                  f"one-slip play-through), one run: {engine.get('calibrate_s')} s. "
                  f"The query-count test: {engine.get('query_count_test')}.",
                  ""]
    costs = json.loads(engine_file.read_text()).get("request_costs") \
        if engine_file.exists() else None
    if costs:
        lines += _cost_lines(costs)
    (out / "README.md").write_text("\n".join(lines))


def _cost_lines(costs: dict) -> list[str]:
    """The in-process work per request of the play loop (bench/costs.py)."""
    lines = ["## cost per request", "",
             "In-process through Flask's test client on SQLite (bench/costs.py): SQL "
             "statements and Python function calls (cProfile's count) are the same on any "
             "machine; CPU time is this machine's, taken between other requests (a request "
             "repeated in a tight loop runs faster). Medians.", "",
             "| request | count | SQL statements | Python calls | CPU ms |",
             "|---|---|---|---|---|"]
    lines += [f"| {kind} | {c['requests']} | {c['sql_statements']:g} | {c['python_calls']:,} | "
              f"{c.get('cpu_ms', '')} |" for kind, c in costs.items()]
    choice = costs["choice"]
    pages = [costs[k] for k in ("scenario page", "start attempt")]
    share = {key: sum(p[key] * p["requests"] for p in pages) / choice["requests"]
             for key in ("sql_statements", "python_calls")}
    statements = choice["sql_statements"] + share["sql_statements"]
    calls = choice["python_calls"] + share["python_calls"]
    lines += ["", "Each play-through also asks for the scenario page and the start (which "
              f"answers with the play page): per choice, the loop is {statements:.1f} "
              f"statements and {calls:,.0f} calls.", ""]
    return lines
