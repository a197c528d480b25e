"""What every request and response passes through: ids and text the database can hold, and
the HTTP headers (the content policy, no caching of private pages)."""
from __future__ import annotations

from flask import Flask, abort, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL, and so everywhere)

# No inline scripts or styles, no eval: htmx is configured for it in base.html's meta tag.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class IdConverter(IntegerConverter):
    """<int:...> in a URL: a number too big to be an id does not match, so it is a 404 (not a
    database overflow error)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)
    app.after_request(_headers)


def _refuse_nul() -> None:
    """No text here may hold a NUL character (PostgreSQL cannot store one): refuse it whole."""
    texts = [*(request.view_args or {}).values()]
    for multi in (request.args, request.form):
        for key, values in multi.lists():
            texts += [key, *values]
    if any("\x00" in text for text in texts if isinstance(text, str)):
        abort(400, "The request holds a NUL character, which no field here may contain. "
                   "Nothing was recorded.")


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Pages hold personal data or depend on who is signed in: never kept by the browser,
        # so the back button after signing out shows nothing private.
        headers["Cache-Control"] = "no-store"
        # One URL may answer with a whole page or an htmx fragment.
        response.vary.add("HX-Request")
    if current_user and current_user.is_authenticated:
        response.vary.add("Cookie")
    return response
