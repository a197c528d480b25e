"""The interface's languages, with Flask-Babel: which one each page is in, and the catalogues.

A page is in the person's own language (their account setting), else the best the browser
asks for (Accept-Language) among LANGUAGES, else the organisation's default
(TRAINER_DEFAULT_LANGUAGE). Catalogues live in trainer/translations/<language>/LC_MESSAGES/;
`make translations` extracts the texts from code and templates and updates them (README.md,
"Languages")."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request
from flask_babel import Babel, get_locale
from flask_login import current_user

LANGUAGES = {"en": "English", "ru": "Русский", "pl": "Polski"}  # code -> its own name
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANGUAGE"]
    babel.init_app(app, locale_selector=language_of_request)


def language_of_request() -> str:
    own = getattr(current_user, "language", None) if current_user else None
    if own in LANGUAGES:
        return own
    if request:
        asked = request.accept_languages.best_match(LANGUAGES)
        if asked:
            return asked
    return current_app.config["DEFAULT_LANGUAGE"]


def current() -> str:
    """The language of the page being made: 'en', 'ru' or 'pl'."""
    return str(get_locale())
