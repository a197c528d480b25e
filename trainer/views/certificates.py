"""Certificates of completion: the learner's printable page, and the public verification
page that confirms one is genuine and shows nothing else about the person."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from trainer import clock
from trainer.store import completions
from trainer.store import teams as team_data

bp = Blueprint("certificates", __name__)


@bp.route("/certificates/<int:completion_id>")
def certificate(completion_id: int):
    """The learner's own, or one of someone a manager or HR may follow."""
    found = completions.by_id(completion_id)
    if found is None or (found.user_id != current_user.id
                         and team_data.person_for(current_user, found.user_id) is None):
        abort(404, _("There is no certificate of yours, or of someone you follow, at this "
                     "address."))
    return render_template("certificates/certificate.html",
                           certificate=completions.certificate(found), today=clock.today())


@bp.route("/verify/<token>")
def verify(token: str):
    found = completions.by_token(token)
    if found is None:
        abort(404, _("There is no certificate at this address. Check that the link was copied "
                     "whole."))
    response = render_template("certificates/verify.html",
                               certificate=completions.certificate(found), today=clock.today())
    return response, 200, {"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}
