"""Author-written Markdown turned into safe HTML for the templates."""
from __future__ import annotations

from functools import lru_cache

import markdown as md
import nh3
from markupsafe import Markup

OWN_IMAGES = "/static/"  # the only place an image in scenario prose may come from


@lru_cache(maxsize=2048)
def render(text: str) -> Markup:
    """Markdown to HTML, sanitised: authors are not always developers."""
    return Markup(nh3.clean(md.markdown(text or "", extensions=["sane_lists"]),
                            attribute_filter=_attribute))


def _attribute(element: str, attribute: str, value: str) -> str | None:
    # An image from another site would tell it who reads the scenario, and when.
    if element == "img" and attribute in ("src", "srcset"):
        own = value.startswith(OWN_IMAGES) and "\\" not in value and ".." not in value
        return value if own and attribute == "src" else None
    return value
