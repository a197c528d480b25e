"""Who is playing: a name and an email for now; accounts with passwords and roles come later."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from trainer.extensions import db, htmx, login_manager
from trainer.models import User

bp = Blueprint("identity", __name__)


class WhoForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Work email", validators=[DataRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to /who; an htmx request is told to load that page whole."""
    came_from = request.full_path.rstrip("?") if request.method == "GET" else None
    target = url_for("identity.who", next=came_from)
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    flash(login_manager.login_message)
    return redirect(target)


@bp.route("/who", methods=["GET", "POST"])
def who():
    """Name yourself to keep your progress; the same email finds the same progress again."""
    form = WhoForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).filter_by(email=email))
        if user is None:
            user = User(name=form.name.data.strip(), email=email)
            db.session.add(user)
            db.session.commit()
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or url_for("play.scenarios"))
    return render_template("who.html", form=form), 400 if form.errors else 200


@bp.route("/leave", methods=["POST"])
@login_required
def leave():
    logout_user()
    flash("You have left. Your progress is kept under your email.")
    return redirect(url_for("identity.who"))


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: "//host" and "http://" would send people elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None
