"""My training: an employee's assigned modules, progress and principle strengths."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from trainer import catalogue, clock
from trainer.store import completions, training

bp = Blueprint("training", __name__)


@bp.route("/")
def home():
    return render_template("training/home.html",
                           modules=training.my_modules(current_user, clock.today()),
                           certificates=completions.of_person(current_user.id),
                           principles=training.principle_results([current_user.id]),
                           status_names=catalogue.STATUS_NAMES)
