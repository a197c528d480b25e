"""What changes with the date alone, done by the first request of each day in each process
(and by `trainer send-reminders`): renewals whose notice period has begun are opened."""
from __future__ import annotations

from flask import current_app, request

from trainer import clock
from trainer.store import completions

_KEY = "trainer.renewals_opened_on"


def before_request() -> None:
    if request.endpoint in (None, "static", "health.check", "brand.style", "brand.logo"):
        return
    today = clock.today()
    if current_app.extensions.get(_KEY) != today:
        open_renewals(today)


def open_renewals(today) -> int:
    opened = completions.open_renewals(today)
    current_app.extensions[_KEY] = today
    return opened
