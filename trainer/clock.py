"""Today's date as the app sees it: the real one, or the one the config fixes (tests set
TODAY, so a run that crosses midnight does not see the date change under it)."""
from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today() -> date:
    fixed = current_app.config.get("TODAY") if has_app_context() else None
    return fixed or date.today()
