"""What every page shares: the template globals and the error pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from trainer import access, catalogue, clock, i18n
from trainer.extensions import htmx
from trainer.store import branding, content
from trainer.views.returns import safe_return


def init_app(app) -> None:
    app.context_processor(template_globals)
    app.register_error_handler(RequestEntityTooLarge, too_large)
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
            "language": i18n.current(), "languages": i18n.LANGUAGES,
            "status_names": catalogue.STATUS_NAMES, "ending_kinds": catalogue.ENDING_KINDS,
            "error_names": ERROR_NAMES,
            "ending_names": catalogue.ENDING_NAMES}


def csrf_error(error: CSRFError):
    error.description = _("This form was not sent from an open page of this site, or the page "
                          "is too old. Nothing was recorded: reload the page and try again.")
    return http_error(error)


def too_large(error: RequestEntityTooLarge):
    megabytes = f"{(request.max_content_length or 0) / 1024 / 1024:.0f}"
    error.description = _("What was sent is larger than this page takes (%(megabytes)s MB at "
                          "most). Nothing was saved: go back, and send a smaller file or text.",
                          megabytes=megabytes)
    return http_error(error)


# The common errors' names and Werkzeug's default explanations, in the page's language (a
# view's own explanation is translated where it is written).
ERROR_NAMES = {400: _l("Bad Request"), 403: _l("Forbidden"), 404: _l("Not Found"),
               405: _l("Method Not Allowed"), 413: _l("Request Entity Too Large"),
               422: _l("Unprocessable Entity"), 429: _l("Too Many Requests"),
               500: _l("Internal Server Error")}
ERROR_EXPLANATIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    403: _l("You don't have the permission to access the requested resource. It is either "
            "read-protected or not readable by the server."),
    404: _l("The requested URL was not found on the server. If you entered the URL manually "
            "please check your spelling and try again."),
    405: _l("The method is not allowed for the requested URL."),
    429: _l("This user has exceeded an allotted request count. Try again later."),
    500: _l("The server encountered an internal error and was unable to complete your "
            "request. Either the server is overloaded or there is an error in the "
            "application."),
}


def http_error(error: HTTPException):
    """Every 4xx/5xx as a page in the site's layout (a fragment for htmx requests that swap
    a part of the page; a boosted form swaps the whole page)."""
    if error.code in ERROR_EXPLANATIONS and error.description == type(error).description:
        error.description = str(ERROR_EXPLANATIONS[error.code])
    template = "_error.html" if htmx and not htmx.boosted else "error.html"
    back_url = safe_return(urlsplit(request.headers.get("HX-Current-URL", "")).path,
                           url_for("training.home"))
    return render_template(template, error=error, back_url=back_url), error.code


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """"1 day", "3 days": a number with its noun in the right form, for the command line's
    English (pages and mail use ngettext)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
