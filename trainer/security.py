"""HTTP headers every response carries: the content policy, no caching of private pages."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

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


def init_app(app: Flask) -> None:
    app.after_request(_headers)


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
