"""`python -m bench`: build the synthetic organisation on SQLite and PostgreSQL, run the play
load, the reports and the engine, and write bench/results/. See bench/README.md."""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psutil
from sqlalchemy import create_engine, make_url, text

from bench import authoring as authoring_bench
from bench import costs, measure, orgdata, results
from bench import engine as engine_bench
from bench.pages import FLAGSHIPS
from bench.scenarios import library_folder
from bench.server import Gunicorn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


def main() -> None:
    args = _arguments()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    size = orgdata.Size().scaled(args.scale)
    folder = work / "scenarios"
    library_folder(folder, ROOT / "scenarios", extra_scenarios=15, decisions=13, modules=20)
    log(f"size: {size}; scenarios in {folder}")
    if not args.skip_engine:
        log("engine: a generated 2,000-node scenario")
        engine = engine_bench.run(args.nodes, ROOT / "scenarios")
        engine["query_count_test"] = _query_count_test()
        log(f"  {engine}")
        log("authoring: the branch map of the same scenario")
        engine["branch_map"] = authoring_bench.run(args.nodes, ROOT / "scenarios")
        log(f"  {engine['branch_map']}")
        log("cost per request of the play loop, in-process")
        request_costs = costs.run(ROOT / "scenarios")
        log(f"  {request_costs}")
        _write(out / "engine.json", {"machine": machine(), "engine": engine,
                                     "request_costs": request_costs})
    for name in filter(None, args.databases.split(",")):
        url = f"sqlite:///{work / 'bench.db'}" if name == "sqlite" else POSTGRES
        outcome = run_database(name, url, folder, size, args, work)
        _write(out / f"{name}.json", {"machine": machine(url), "size": size.__dict__,
                                      "scale": args.scale, **outcome})
    results.write_summary(out)
    log(f"results in {out}")


def run_database(name: str, url: str, folder: Path, size: orgdata.Size, args,
                 work: Path) -> dict:
    outcome: dict = {"database": name}
    if not args.skip_generate:
        log(f"{name}: generating the organisation")
        outcome["generation"] = generate(url, folder, size)
        log(f"  {outcome['generation']}")
    outcome["database_bytes"] = database_bytes(url)
    log_path = str(work / f"gunicorn-{name}.log")
    with Gunicorn(url, str(folder), args.workers, args.port, log_path) as server:
        outcome["workers"] = f"gunicorn, {args.workers} sync workers"
        log(f"{name}: HR reports")
        hr = measure.signed_in(server.url, f"hr@{orgdata.DOMAIN}", orgdata.PASSWORD)
        outcome["reports"] = {
            "page": measure.timed_gets(hr, server.url + "/reports/", args.repeat),
            "overdue_csv": measure.timed_gets(hr, server.url + "/reports/overdue.csv",
                                              max(3, args.repeat // 3)),
            "team_csv": measure.timed_gets(hr, server.url + "/reports/team.csv",
                                           max(3, args.repeat // 3)),
        }
        log(f"  {outcome['reports']}")
        env = {"BENCH_SCENARIOS": ",".join(FLAGSHIPS), "BENCH_PASSWORD": orgdata.PASSWORD,
               "BENCH_DOMAIN": orgdata.DOMAIN}
        log(f"{name}: trivial endpoint, {args.users} users")
        outcome["trivial"] = measure.locust(server, "HealthUser", args.users, args.seconds,
                                            work, env)
        log(f"  {outcome['trivial']}")
        log(f"{name}: play, {args.users} players, no think time")
        outcome["play"] = measure.locust(server, "PlayerUser", args.users, args.seconds,
                                         work, {**env, "BENCH_FIRST_PERSON": "1"})
        log(f"  {outcome['play']}")
        if args.think:
            log(f"{name}: play, {args.users} players, {args.think} s think time")
            outcome["play_paced"] = measure.locust(
                server, "PlayerUser", args.users, args.seconds, work,
                {**env, "BENCH_FIRST_PERSON": str(args.users + 1), "BENCH_THINK": str(args.think)})
            outcome["play_paced"]["think_seconds"] = args.think
            log(f"  {outcome['play_paced']}")
        log(f"{name}: full overdue export (every assignment made open and overdue first)")
        outcome["full_export"] = {"made_overdue": make_everything_overdue(url),
                                  **measure.export_memory(server, hr, "/reports/overdue.csv")}
        log(f"  {outcome['full_export']}")
    return outcome


def generate(url: str, folder: Path, size: orgdata.Size) -> dict:
    """Empty the database, migrate it, add any index the models have and the migrations not
    yet, then load the organisation."""
    from trainer import create_app
    from trainer.engine import load_library
    from trainer.extensions import db

    reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCENARIOS_DIR": str(folder),
                      "SECRET_KEY": "bench-only-secret"})
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        return orgdata.generate(db.engine, load_library(folder), size, date.today(),
                                log=log)


def reset(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    _create_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _create_database(url: str) -> None:
    """The benchmark's PostgreSQL database, made on the same server if it is not there yet."""
    name = make_url(url).database
    server = create_engine(make_url(url).set(database="postgres"),
                           isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": name}).first():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def make_everything_overdue(url: str) -> int:
    """For the 200,000-row export: every assignment open and past due (bench data only)."""
    engine = create_engine(url)
    shift = "date(due_date, '-420 days')" if url.startswith("sqlite") else "due_date - 420"
    with engine.begin() as connection:
        changed = connection.execute(text(
            f"UPDATE assignments SET completed_at = NULL, due_date = {shift}")).rowcount
    engine.dispose()
    return changed


def database_bytes(url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal")
                   if Path(f"{path}{s}").exists())
    engine = create_engine(url)
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return size


def machine(url: str | None = None) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    info = {"cpu": cpu, "cores": os.cpu_count(),
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
            "load_average_1m": round(os.getloadavg()[0], 2)}  # the machine is shared
    if url and url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.connect() as connection:
            info["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def _query_count_test() -> str:
    """The suite's N+1 test, run here too so the results say whether it passes."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/store/test_query_counts.py"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, flush=True)


def _arguments():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both; '' for "
                             "the engine alone)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="organisation size; 1.0 = 10,000 employees, 200,000 attempts")
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated players")
    parser.add_argument("--seconds", type=int, default=30, help="length of each load run")
    parser.add_argument("--think", type=float, default=2.0,
                        help="think time of the paced play run (0: skip that run)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--repeat", type=int, default=15, help="report page requests")
    parser.add_argument("--nodes", type=int, default=2000, help="engine scenario size")
    parser.add_argument("--work", default=str(HERE / "work"),
                        help="scratch folder: SQLite file, scenarios, logs (not committed)")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--skip-generate", action="store_true",
                        help="reuse the organisation already in the databases")
    parser.add_argument("--skip-engine", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main()
