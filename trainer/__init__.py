"""The service trainer: the application factory assembles config, extensions and blueprints.

Nothing is imported here at module level, as in Flask's tutorial app: `import trainer.engine`
(validate, the engine's tests) loads the engine alone, not the web stack."""
from __future__ import annotations


def create_app(overrides: dict | None = None):
    from pathlib import Path

    from flask import Flask

    from trainer import (
        access,
        daily,
        database,
        i18n,
        pages,
        portraits,
        prose,
        ratelimit,
        schema,
        security,
    )
    from trainer.config import Config, instance_secret, resource_root
    from trainer.extensions import csrf, db, htmx, login_manager
    from trainer.store import content
    from trainer.views import (
        admin,
        auth,
        author,
        brand,
        certificates,
        health,
        manage,
        play,
        reports,
        training,
    )

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
    app.before_request(author.room_for_a_scenario)  # before CSRFProtect reads a form
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)

    security.init_app(app)  # before the blueprints: it sets how their URLs read ids
    for blueprint in (auth.bp, training.bp, play.bp, manage.bp, reports.bp, admin.bp,
                      brand.bp, health.bp, certificates.bp, author.bp):
        app.register_blueprint(blueprint)
    app.before_request(access.check_request)
    app.before_request(daily.before_request)
    app.before_request(pages.follow_publications)
    ratelimit.init_app(app)
    app.add_template_filter(prose.render, "markdown")
    app.add_template_global(portraits.portrait, "portrait")
    pages.init_app(app)

    with app.app_context():
        database.configure(db.engine)  # before its first connection
        schema.upgrade(db.engine)  # safe when several processes start at once
        content.load_into(app)  # after: it asks the database which files are published
    return app
