"""Password-guessing limits (Flask-Limiter): per address and per account, shared through Redis.

Sign-in guessing is slowed two ways: one address may try only so often whichever accounts it
tries, and one account may be tried only so often from whichever addresses. The refusal reads
the same whether the account exists or not, so it tells nobody which accounts exist. Someone
at a signed-in screen who does not know its password is slowed too: the change-password page
counts wrong current passwords per account.
"""
from __future__ import annotations

from flask import Flask, flash, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from trainer.store.org import normal_email
from trainer.views.forms import REFUSED

LOGIN, PASSWORD = "auth.login", "auth.password"
TOO_MANY = _l("Too many sign-in attempts from here or for this account. Wait a minute, then "
              "try again; ask your administrator if you have forgotten your password.")
TOO_MANY_WRONG = _l("Too many wrong current passwords. Wait a minute, then try again; ask "
                    "your administrator if you have forgotten your password.")


def init_app(app: Flask) -> None:
    """One limiter per app (its storage is the app's: Redis when configured, else memory)."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limiter = Limiter(get_remote_address, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    # Only refused sign-ins are counted: an office signing in at shift start through one
    # address, or someone who signs in on several devices, is never slowed.
    view = app.view_functions[LOGIN]
    view = limiter.limit(app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
                         key_func=_address, scope="login-address", deduct_when=_refused)(view)
    view = limiter.limit(app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
                         key_func=_account, scope="login-account", deduct_when=_refused)(view)
    app.view_functions[LOGIN] = view
    # Counted only when the form was refused (422): changing one's password is not limited.
    app.view_functions[PASSWORD] = limiter.limit(
        app.config["PASSWORD_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_signed_in,
        scope="password-account", deduct_when=lambda response: response.status_code == REFUSED)(
        app.view_functions[PASSWORD])
    app.register_error_handler(RateLimitExceeded, _too_many)


def _refused(response) -> bool:
    """A sign-in that did not get in (a signed-in person is redirected onwards)."""
    return response.status_code != 302


def _address() -> str:
    return "address:" + get_remote_address()


def _account() -> str:
    # Counted for any email, existing or not; limited in length so keys stay small.
    return "account:" + normal_email(request.form.get("email", ""))[:254]


def _signed_in() -> str:
    from flask_login import current_user

    return f"user:{current_user.id}"


def _too_many(_error: RateLimitExceeded):
    from trainer.views.auth import account_page
    from trainer.views.forms import LoginForm

    if request.endpoint == PASSWORD:
        flash(str(TOO_MANY_WRONG), "error")
        return account_page(), 429
    flash(str(TOO_MANY), "error")
    return render_template("auth/login.html", form=LoginForm()), 429
