"""Signing in and out, and one's own account: password and language."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from trainer.extensions import htmx, login_manager
from trainer.i18n import LANGUAGES
from trainer.models import User
from trainer.store import org
from trainer.views.forms import REFUSED, LanguageForm, LoginForm, PasswordForm, options
from trainer.views.returns import safe_return

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session holds "id:token"; a changed token (sign-out everywhere) ends it."""
    user_id, _colon, token = session_id.partition(":")
    return org.session_user(user_id, token)


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to sign in; an htmx request is told to load that page whole."""
    came_from = request.full_path.rstrip("?") if request.method == "GET" else None
    target = url_for("auth.login", next=came_from)
    if htmx:
        response = redirect(target)
        response.status_code = 204
        response.headers["HX-Redirect"] = target
        return response
    flash(_("Please sign in to continue."), "notice")
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("training.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = org.user_by_email(form.email.data)
        if org.check_password(user, form.password.data) and user.active:
            session.clear()  # a fresh session on every sign-in
            login_user(user)
            return redirect(safe_return(request.args.get("next"), url_for("training.home")))
        # One message whatever was wrong, so it does not tell which accounts exist.
        form.password.errors.append(_("That email and password do not match an active account."))
    return render_template("auth/login.html", form=form), REFUSED if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """Signing out ends every session of this person, on every device."""
    org.sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "notice")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not org.check_password(current_user, form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            org.change_password(current_user, form.new.data)
            # This session continues with the new token; every other one ends. (The person
            # itself, not the current_user proxy: a proxy to itself would recurse forever.)
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other sessions have been signed out."), "success")
            return redirect(url_for("training.home"))
    return account_page(form, _language_form()), REFUSED if form.errors else 200


def _language_form() -> LanguageForm:
    form = LanguageForm(language=current_user.language or "")
    form.language.choices = options([("", _("As my browser asks")), *LANGUAGES.items()])
    return form


def account_page(form: PasswordForm | None = None, language: LanguageForm | None = None):
    """The account page: the password form and the language form."""
    return render_template("auth/password.html", form=form or PasswordForm(),
                           language_form=language or _language_form())


@bp.route("/account/language", methods=["POST"])
def language():
    form = _language_form()
    if not form.validate_on_submit():
        return account_page(PasswordForm(formdata=None), form), REFUSED
    org.set_language(current_user, form.language.data or None)
    flash(_("Saved: your pages and mail follow this language."), "success")
    return redirect(url_for("auth.password"))
