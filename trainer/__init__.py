"""The service trainer: the application factory assembles config, extensions and blueprints."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from trainer import clock, schema
from trainer.config import Config, instance_secret, resource_root
from trainer.extensions import csrf, db, htmx, login_manager


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(resource_root() / "templates"),
                instance_relative_config=True)
    app.config.from_object(Config())
    app.config.update(overrides or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/trainer.db"

    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from trainer import access, prose, ratelimit, security
    from trainer.store import content
    from trainer.views import admin, auth, health, manage, play, reports, training

    security.init_app(app)  # before the blueprints: it sets how their URLs read ids
    for blueprint in (auth.bp, training.bp, play.bp, manage.bp, reports.bp, admin.bp,
                      health.bp):
        app.register_blueprint(blueprint)
    app.before_request(access.check_request)
    ratelimit.init_app(app)
    app.add_template_filter(prose.render, "markdown")
    app.context_processor(_template_globals)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)

    with app.app_context():
        schema.upgrade(db.engine)  # safe when several processes start at once
        content.load_into(app)  # after: it asks the database which files are published
    return app


def _template_globals() -> dict:
    from trainer import access
    from trainer.store import content

    return {"principle_names": content.principle_names(), "can_open": access.can_open,
            "module_titles": {m.id: m.title for m in content.modules()},
            "today_iso": clock.today().isoformat()}


def _csrf_error(error: CSRFError):
    error.description = ("This form was not sent from an open page of this site, or the page "
                         "is too old. Nothing was recorded: reload the page and try again.")
    return _http_error(error)


def _http_error(error: HTTPException):
    """Every 4xx/5xx as a page in the site's layout (a fragment for htmx requests that swap
    a part of the page; a boosted form swaps the whole page)."""
    template = "_error.html" if htmx and not htmx.boosted else "error.html"
    from trainer.views.returns import safe_return

    back_url = safe_return(urlsplit(request.headers.get("HX-Current-URL", "")).path,
                           url_for("training.home"))
    return render_template(template, error=error, back_url=back_url), error.code


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and a writer work at once; SQLite leaves foreign keys off by default.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # First: the pragmas below may wait too.
        cursor.execute(f"PRAGMA busy_timeout={schema.REQUEST_WAIT_MS}")
        _set_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        # Sync the WAL at every commit: NORMAL (some builds' WAL default) survives a killed
        # process but may lose the last commits in a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def _set_wal(cursor) -> None:
    """Switch to WAL; while another process holds a fresh database's lock, SQLite answers
    'locked' at once instead of waiting, so try again for a while."""
    for attempt in range(50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.1)
