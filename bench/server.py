"""The app under gunicorn for the benchmark: start, wait until it answers, watch, stop."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent  # so `bench.wsgi` imports


class Gunicorn:
    """`workers` sync workers on 127.0.0.1:`port`, configured through the environment."""

    def __init__(self, database_url: str, scenarios_dir: str, workers: int, port: int,
                 log_path: str):
        self.workers, self.port = workers, port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "TRAINER_DATABASE_URL": database_url,
                    "TRAINER_SCENARIOS_DIR": scenarios_dir,
                    "TRAINER_SECRET_KEY": "bench-only-secret"}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
                "--backlog", "2048", "--timeout", "120", "bench.wsgi:app"]

    def __enter__(self) -> Gunicorn:
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(self.command(), env=self.env, stdout=log, cwd=ROOT,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200 and len(self.worker_pids()) == self.workers:
                        time.sleep(2)  # let every worker finish loading the library
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 120 s")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        """CPU time used so far by the workers (user + system)."""
        total = 0.0
        for pid in self.worker_pids():
            try:
                times = psutil.Process(pid).cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total


class MemoryWatch:
    """Samples every worker's resident memory while a request runs; the growth is the
    largest rise of any one worker over what it held before."""

    def __init__(self, pids: list[int], interval: float = 0.01):
        self.processes = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.baseline = {p.pid: p.memory_info().rss for p in self.processes}
        self.peak = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for process in self.processes:
                try:
                    rss = process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self.peak[process.pid] = max(self.peak[process.pid], rss)
            time.sleep(self.interval)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def growth_mb(self) -> float:
        return max(self.peak[pid] - self.baseline[pid] for pid in self.baseline) / 2**20
