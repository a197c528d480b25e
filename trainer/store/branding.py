"""The organisation's name, logo and accent colour: one row, read for every page's header.

Each process keeps the row for a few seconds (a page then costs no query for it); a change
made here is seen at once by this process and within that time by the others."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from trainer.extensions import db
from trainer.logos import checked
from trainer.models import Branding, utcnow

KEPT_FOR = 10.0  # seconds a process keeps the row
HEX = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 4.5  # WCAG AA for text: the accent is the colour of links and buttons
_KEY = "trainer.branding"


@dataclass(frozen=True)
class Brand:
    name: str
    accent: str  # "#rrggbb", or "" for the app's own
    accent_ink: str  # text on the accent: white or near-black, whichever reads
    has_logo: bool
    logo_type: str
    version: int


PLAIN = Brand("", "", "", False, "", 0)


def current() -> Brand:
    kept = current_app.extensions.get(_KEY)
    if kept is not None and time.monotonic() - kept[0] < KEPT_FOR:
        return kept[1]
    row = db.session.get(Branding, 1)
    brand = PLAIN if row is None else Brand(row.name, row.accent, ink_on(row.accent),
                                            row.logo is not None, row.logo_type, row.version)
    current_app.extensions[_KEY] = (time.monotonic(), brand)
    return brand


def logo() -> tuple[bytes, str] | None:
    row = db.session.get(Branding, 1)
    return (row.logo, row.logo_type) if row is not None and row.logo is not None else None


class BrandingError(ValueError):
    """What is wrong with the submitted branding, in words for the administrator."""


def save(name: str, accent: str, logo_file: bytes | None, remove_logo: bool) -> Brand:
    """Write the branding; nothing is written if any part of it is refused."""
    name, accent = name.strip(), accent.strip().lower()
    if len(name) > 120:
        raise BrandingError(_("The organisation's name may be at most 120 characters."))
    if accent and not HEX.fullmatch(accent):
        raise BrandingError(_("The accent colour must be written as # and six hex digits, "
                              "e.g. #1f5fbf."))
    if accent and contrast(accent, "#ffffff") < MIN_CONTRAST:
        raise BrandingError(_("Links and buttons in %(accent)s would be hard to read on white "
                              "(contrast %(contrast)s to 1; at least %(least)s is needed). "
                              "Choose a darker shade.", accent=accent,
                              contrast=f"{contrast(accent, '#ffffff'):.1f}",
                              least=MIN_CONTRAST))
    kept_logo = checked(logo_file) if logo_file else None  # LogoError: nothing written
    row = db.session.get(Branding, 1) or Branding(id=1, name="", accent="", logo_type="",
                                                   version=0)
    row.name, row.accent = name, accent
    if kept_logo is not None:
        row.logo, row.logo_type = kept_logo
    elif remove_logo:
        row.logo, row.logo_type = None, ""
    row.version += 1
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.commit()
    current_app.extensions.pop(_KEY, None)
    return current()


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two colours."""
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def ink_on(accent: str) -> str:
    if not accent:
        return ""
    return "#ffffff" if contrast(accent, "#ffffff") >= contrast(accent, "#111111") \
        else "#111111"
