"""Configuration from the environment, with defaults that run on one machine."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_root() -> Path:
    """Where templates/ and scenarios/ live: inside the package when installed from a
    wheel, at the top of the source tree when run from a checkout."""
    return _PACKAGE if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent


def scenarios_dir() -> Path:
    return Path(os.environ.get("TRAINER_SCENARIOS_DIR") or resource_root() / "scenarios")


class Config:
    """Read once when the app is made; tests pass overrides to create_app."""

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TRAINER_DATABASE_URL", "")
        # Without TRAINER_SECRET_KEY, create_app keeps a generated key in the instance folder.
        self.SECRET_KEY = os.environ.get("TRAINER_SECRET_KEY", "")
        self.SCENARIOS_DIR = str(scenarios_dir())
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Behind HTTPS (TRAINER_HTTPS=1) the session cookie is never sent in clear text.
        self.SESSION_COOKIE_SECURE = os.environ.get("TRAINER_HTTPS", "") == "1"
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # a staff CSV of ~20,000 people fits
        # Sign-in attempts (trainer/ratelimit.py). With TRAINER_REDIS_URL every process counts
        # in one place; without it each process keeps its own count in memory.
        self.RATELIMIT_ENABLED = True
        self.RATELIMIT_STORAGE_URI = os.environ.get("TRAINER_REDIS_URL") or "memory://"
        self.RATELIMIT_KEY_PREFIX = "trainer"
        self.RATELIMIT_STRATEGY = "moving-window"
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count in memory
        # Raise the per-address limit where a whole office signs in through one address.
        self.LOGIN_LIMIT_PER_ADDRESS = os.environ.get("TRAINER_LOGIN_LIMIT_PER_ADDRESS",
                                                      "10/minute")
        self.LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("TRAINER_LOGIN_LIMIT_PER_ACCOUNT",
                                                      "5/minute")
        self.PASSWORD_LIMIT_PER_ACCOUNT = os.environ.get(
            "TRAINER_PASSWORD_LIMIT_PER_ACCOUNT", "5/minute")  # wrong current passwords
        self.PASSWORD_HASH_METHOD = os.environ.get("TRAINER_PASSWORD_HASH", "scrypt")
        # Mail (trainer/mail.py): none is sent while TRAINER_SMTP_URL is unset.
        self.SMTP_URL = os.environ.get("TRAINER_SMTP_URL", "")
        self.MAIL_FROM = os.environ.get("TRAINER_MAIL_FROM", "")
        # The address people open the trainer at, for the links in mail.
        self.BASE_URL = os.environ.get("TRAINER_BASE_URL", "http://127.0.0.1:5000")
        # Reminders (trainer send-reminders): this many days before a due date, then on the
        # day it is overdue; managers' digest of overdue work on this weekday (0 = Monday).
        self.REMIND_DAYS_BEFORE = _whole("TRAINER_REMIND_DAYS_BEFORE", 3)
        self.DIGEST_WEEKDAY = _whole("TRAINER_DIGEST_WEEKDAY", 0, 6)
        # Recertification: a renewal opens this many days before the completion runs out.
        self.RENEWAL_NOTICE_DAYS = _whole("TRAINER_RENEWAL_NOTICE_DAYS", 30)
        # The interface's language when neither the person nor their browser chooses one.
        self.DEFAULT_LANGUAGE = os.environ.get("TRAINER_DEFAULT_LANGUAGE", "en").strip() or "en"
        if self.DEFAULT_LANGUAGE not in ("en", "ru", "pl"):
            raise SystemExit("TRAINER_DEFAULT_LANGUAGE must be one of en, ru, pl, not "
                             f"{self.DEFAULT_LANGUAGE!r}")


def _whole(name: str, default: int, highest: int = 366) -> int:
    """A setting that is a whole number from 0 to `highest`; unset: the default."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) > highest:
        raise SystemExit(f"{name} must be a whole number from 0 to {highest}, not {value!r}")
    return int(value)


def instance_secret(instance_path: str) -> str:
    """A key generated once and kept in the instance folder, so restarts keep sessions."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
