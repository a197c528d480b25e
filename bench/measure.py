"""Measurements over HTTP: HR's report page and exports, and the play load under locust."""
from __future__ import annotations

import csv
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench.pages import csrf
from bench.server import Gunicorn, MemoryWatch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def signed_in(base_url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base_url + "/login", timeout=30)
    token = csrf(page.text)
    answer = session.post(base_url + "/login", allow_redirects=False, timeout=30,
                          data={"csrf_token": token, "email": email, "password": password})
    if answer.status_code != 302:
        raise RuntimeError(f"{email} could not sign in: {answer.status_code}")
    return session


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed_gets(session: requests.Session, url: str, repeat: int, warmup: int = 1) -> dict:
    """Latency of `repeat` sequential GETs (after `warmup` unmeasured ones), in ms."""
    times, size, rows = [], 0, 0
    for n in range(warmup + repeat):
        began = time.perf_counter()
        answer = session.get(url, timeout=600)
        elapsed = (time.perf_counter() - began) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"{url}: {answer.status_code}")
        if n >= warmup:
            times.append(elapsed)
        size, rows = len(answer.content), answer.text.count("\n")
    return {"url": url, "requests": repeat, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1),
            "bytes": size, "lines": rows}


def export_memory(server: Gunicorn, session: requests.Session, path: str) -> dict:
    """Stream one export while watching the workers' memory; the body is read in chunks."""
    with MemoryWatch(server.worker_pids()) as watch:
        began = time.perf_counter()
        lines = size = 0
        with session.get(server.url + path, stream=True, timeout=900) as answer:
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code}")
            for chunk in answer.iter_content(chunk_size=65536):
                lines += chunk.count(b"\n")
                size += len(chunk)
        seconds = time.perf_counter() - began
    return {"url": path, "rows": lines - 1, "bytes": size, "seconds": round(seconds, 2),
            "peak_growth_mb": round(watch.growth_mb(), 1)}


def locust(server: Gunicorn, user_class: str, users: int, seconds: int, out: Path,
           env: dict[str, str]) -> dict:
    """One headless locust run; its stats per request name, and its own CPU use."""
    prefix = out / f"locust-{user_class}"
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"),
               "--headless", "--host", server.url, "--users", str(users),
               "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--only-summary",
               "--csv", str(prefix), "--stop-timeout", "10", "--loglevel", "WARNING",
               user_class]
    load_average = os.getloadavg()[0]  # other work on the machine before this run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = server.cpu_seconds()
    began = time.perf_counter()
    with open(str(prefix) + ".log", "wb") as log:
        subprocess.run(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                       cwd=ROOT, check=False, timeout=seconds + 120)  # cwd: it imports bench
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats = {}
    with open(str(prefix) + "_stats.csv", newline="") as file:
        for row in csv.DictReader(file):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "per_second": round(float(row["Requests/s"]), 1),
                "p50_ms": _number(row["50%"]), "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]), "average_ms": round(float(
                    row["Average Response Time"]), 1)}
    return {"user_class": user_class, "users": users, "seconds": seconds,
            "load_average_before": round(load_average, 2),
            "load_generator_cpu_percent": round(100 * cpu / wall, 1),
            "server_workers_cpu_percent": round(100 * (server.cpu_seconds() - server_cpu)
                                                / wall, 1),
            "stats": stats}


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)
