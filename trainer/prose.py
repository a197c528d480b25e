"""Author-written Markdown turned into safe HTML for the templates."""
from __future__ import annotations

from functools import lru_cache

import markdown as md
import nh3
from markupsafe import Markup


@lru_cache(maxsize=2048)
def render(text: str) -> Markup:
    """Markdown to HTML, sanitised: authors are not always developers."""
    return Markup(nh3.clean(md.markdown(text or "", extensions=["sane_lists"])))
