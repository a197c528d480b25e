"""What every page shares: the template globals and the error pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from trainer import access, clock, i18n
from trainer.extensions import htmx
from trainer.store import branding, content
from trainer.views.returns import safe_return


def init_app(app) -> None:
    app.context_processor(template_globals)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.add_template_filter(counted, "counted")
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)


def follow_publications() -> None:
    """Before a request for a page: play the scenario versions authors published lately."""
    if request.endpoint not in (None, "static", "health.check", "brand.style", "brand.logo"):
        content.follow_publications()


def template_globals() -> dict:
    return {"principle_names": content.principle_names(), "can_open": access.can_open,
            "module_titles": {m.id: m.title for m in content.modules()},
            "today_iso": clock.today().isoformat(), "brand": branding.current(),
            "language": i18n.current(), "languages": i18n.LANGUAGES}


def csrf_error(error: CSRFError):
    error.description = ("This form was not sent from an open page of this site, or the page "
                         "is too old. Nothing was recorded: reload the page and try again.")
    return http_error(error)


def too_large(error: RequestEntityTooLarge):
    limit = request.max_content_length or 0
    error.description = (f"What was sent is larger than this page takes ({limit / 1024 / 1024:.0f}"
                         " MB at most). Nothing was saved: go back, and send a smaller file or "
                         "text.")
    return http_error(error)


def http_error(error: HTTPException):
    """Every 4xx/5xx as a page in the site's layout (a fragment for htmx requests that swap
    a part of the page; a boosted form swaps the whole page)."""
    template = "_error.html" if htmx and not htmx.boosted else "error.html"
    back_url = safe_return(urlsplit(request.headers.get("HX-Current-URL", "")).path,
                           url_for("training.home"))
    return render_template(template, error=error, back_url=back_url), error.code


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """"1 day", "3 days": a number with its noun in the right form (English)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
