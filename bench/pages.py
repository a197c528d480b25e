"""What the simulated players read from the app's HTML: the form token, the step, the options."""
from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STEP = re.compile(r'name="step" value="(\d+)"')
OPTION = re.compile(r'name="choice" value="(c\d+)"')
FLAGSHIPS = ("rude-receptionist", "rigid-provider", "broken-guitar")


def csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""
