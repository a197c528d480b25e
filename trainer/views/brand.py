"""The organisation's logo and accent colour, served for every page (signed in or not)."""
from __future__ import annotations

from flask import Blueprint, abort, make_response

from trainer.store import branding

bp = Blueprint("brand", __name__, url_prefix="/brand")
A_DAY = 24 * 3600  # the address carries the version: a new logo is a new address


@bp.route("/logo")
def logo():
    found = branding.logo() or abort(404)
    data, media_type = found
    response = make_response(data)
    response.headers["Content-Type"] = media_type
    response.headers["Cache-Control"] = f"public, max-age={A_DAY}"
    # Opened on its own, an SVG is a document: it may draw, and do nothing else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/style.css")
def style():
    brand = branding.current()
    css = (f":root {{ --accent: {brand.accent}; --accent-ink: {brand.accent_ink}; }}\n"
           if brand.accent else "")
    response = make_response(css)
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    response.headers["Cache-Control"] = f"public, max-age={A_DAY}"
    return response
