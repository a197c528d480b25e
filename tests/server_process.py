"""The app in real server processes (gunicorn), and a browser-like HTTP client to drive it."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from conftest import PASSWORD
from probes import csrf_token

# What the play page says when a choice was already made or comes from an older page.
STALE = "nothing new was recorded"
SECRET = "live-server-test-secret"  # every process of one test shares it, as a deployment would


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """create_app() under gunicorn: several worker processes with threads, one port.

    The server runs in its own process group, so kill() ends the master and every worker at
    once with SIGKILL: nothing gets a chance to finish or flush.
    """

    def __init__(self, database_url: str, log: Path, port: int | None = None,
                 workers: int = 2, threads: int = 10):
        self.database_url, self.log = database_url, log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Server:
        env = {**os.environ, "TRAINER_DATABASE_URL": self.database_url,
               "TRAINER_SECRET_KEY": SECRET}
        env.pop("TRAINER_HTTPS", None)  # plain HTTP: the session cookie must not be Secure
        env.pop("TRAINER_REDIS_URL", None)  # sign-in limits counted per server, not shared
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--worker-class", "gthread",
                   "--threads", str(self.threads), "trainer:create_app()"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=self.log.parent,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/login", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """kill -9 on the whole server: master and workers."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def tracebacks(self) -> int:
        """Unhandled errors the app logged (a 500 shows as a traceback in the log)."""
        return self.log.read_text(errors="replace").count("Traceback")


@dataclass(frozen=True)
class PlayPage:
    """What a play page or fragment offers: the step it shows, its options, its CSRF token."""

    step: int | None  # None once the attempt is finished (the debrief shows)
    options: list[str]
    token: str
    stale: bool  # it carries the "already made" message

    @classmethod
    def parse(cls, html: str) -> PlayPage:
        step = re.search(r'name="step" value="(\d+)"', html)
        return cls(int(step.group(1)) if step else None,
                   re.findall(r'name="choice" value="([^"]+)"', html),
                   csrf_token(html, required=False),
                   STALE in html)


class Browser:
    """One person's browser: its own cookies and connections, and the site's forms."""

    def __init__(self, base_url: str):
        self.base = base_url  # a test may point it at another server between requests
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=30)

    def post(self, path: str, data: dict, htmx: bool = False) -> requests.Response:
        headers = {"HX-Request": "true", "X-CSRFToken": data["csrf_token"]} if htmx else {}
        return self.http.post(self.base + path, data=data, headers=headers,
                              allow_redirects=False, timeout=30)

    def tab(self) -> Browser:
        """Another tab of this browser: the same signed-in session, its own connections."""
        other = Browser(self.base)
        other.http.cookies.update(self.http.cookies)
        return other

    def login(self, short: str) -> Browser:
        token = csrf_token(self.get("/login").text)
        response = self.post("/login", {"csrf_token": token, "email": f"{short}@example.com",
                                        "password": PASSWORD})
        assert response.status_code == 302, (response.status_code, response.text[:500])
        assert "/login" not in response.headers["Location"]
        return self

    def start(self, scenario_id: str) -> int:
        """Start a new attempt (as the scenario page's Start over button does); its id."""
        page = self.get(f"/scenarios/{scenario_id}")
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        response = self.post(f"/scenarios/{scenario_id}/attempts",
                             {"csrf_token": csrf_token(page.text), "restart": "1"})
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return int(response.headers["Location"].rsplit("/", 1)[1])

    def play_page(self, attempt_id: int) -> PlayPage:
        response = self.get(f"/attempts/{attempt_id}")
        assert response.status_code == 200, (response.status_code,
                                             response.headers.get("Location"))
        return PlayPage.parse(response.text)

    def choose(self, attempt_id: int, page: PlayPage, choice: str) -> requests.Response:
        """Click an option on `page` (htmx): the answer is the play fragment that follows."""
        return self.post(f"/attempts/{attempt_id}/choices",
                         {"csrf_token": page.token, "step": str(page.step), "choice": choice},
                         htmx=True)
