"""Pages for playing: the scenario list, a scenario's page, the play page and the debrief."""
from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from trainer import catalogue, debrief, where
from trainer.engine import PlayError
from trainer.engine.calibrate import decision_range
from trainer.extensions import htmx
from trainer.scene import scene_of
from trainer.store import content, progress
from trainer.store.assignments import NOT_STARTED

bp = Blueprint("play", __name__)
STEP = re.compile(r"[0-9]{1,6}")


@bp.route("/scenarios")
def scenarios():
    library = content.library()
    standing = progress.progress_by_scenario(current_user)
    filters = catalogue.Filters.from_args(request.args, library)
    shown = [(entry, standing.get(entry.scenario.id)) for entry in catalogue.entries(library)]
    shown = [(entry, record) for entry, record in shown
             if filters.keep(entry, record.status if record else NOT_STARTED)]
    return render_template("scenarios.html", library=library, shown=shown, filters=filters,
                           catalogue=catalogue, names=content.principle_names(),
                           status_names=catalogue.STATUS_NAMES)


@bp.route("/scenarios/<scenario_id>")
def scenario(scenario_id: str):
    found = content.current(scenario_id) or abort(404)
    record = progress.progress_by_scenario(current_user).get(scenario_id)
    fewest, most = decision_range(found)
    return render_template("scenario.html", scenario=found, record=record,
                           pass_mark=content.library().pass_mark(scenario_id),
                           past=progress.past_attempts(current_user, scenario_id),
                           fewest=fewest, most=most, status_names=catalogue.STATUS_NAMES)


@bp.route("/scenarios/<scenario_id>/attempts", methods=["POST"])
def start(scenario_id: str):
    """Start (or start over) a scenario; an unfinished attempt is resumed unless asked not to."""
    found = content.current(scenario_id) or abort(404)
    if request.form.get("restart") != "1":
        unfinished = progress.open_attempt(current_user, scenario_id)
        if unfinished is not None:
            return _show_attempt(unfinished)
    return _show_attempt(progress.start_attempt(current_user, found))


def _show_attempt(attempt):
    """After a start: a form sent by htmx gets the play page in the same answer, with its
    address for the browser's history (one round trip); a plain form post is redirected."""
    url = url_for("play.attempt", attempt_id=attempt.id)
    if not htmx:
        return redirect(url)
    response = _render_play(attempt)
    response.headers["HX-Push-Url"] = url
    return response


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    found = progress.attempt_of(current_user, attempt_id) or abort(404)
    return _render_play(found)


@bp.route("/attempts/<int:attempt_id>/choices", methods=["POST"])
def choose(attempt_id: int):
    found = progress.attempt_of(current_user, attempt_id) or abort(404)
    step, choice_id = request.form.get("step", ""), request.form.get("choice", "")
    # ASCII digits only, and few of them: "²" passes str.isdigit, and int() refuses 5,000.
    if not STEP.fullmatch(step) or not choice_id:
        abort(400, _("The choice form was incomplete; pick an option again."))
    recorded = None
    try:
        recorded = progress.record_choice(found, int(step), choice_id)
    except progress.StaleChoice:
        if found.status == found.ABANDONED:
            flash(_("You started this scenario over, so this earlier attempt is closed; nothing "
                    "was recorded."), "notice")
        else:
            flash(_("That choice was already made or comes from an older page; nothing new "
                    "was recorded. This is where you are now."), "notice")
    except PlayError:
        abort(400, _("That option is not on offer at this point of the scenario."))
    if htmx:
        response = _render_play(found, fragment=True, last_step=recorded)
        response.headers["HX-Push-Url"] = url_for("play.attempt", attempt_id=found.id)
        return response
    return redirect(url_for("play.attempt", attempt_id=found.id))


def _render_play(attempt, fragment: bool = False, last_step=None):
    """The play region for an attempt: the situation and options, or the debrief, below the
    feedback on the latest choice (`last_step` when the caller has it at hand)."""
    if attempt.finished:
        context = {"debrief": debrief.build(attempt, current_user)}
    elif attempt.status == attempt.ABANDONED:  # left behind by "Start over"
        context = {"scenario": content.scenario_of(attempt.version_id),
                   "current": progress.open_attempt(current_user, attempt.scenario_id)}
    else:
        scenario = content.scenario_of(attempt.version_id)
        state = progress.play_state(attempt)
        trust = state.values.get("trust")
        node = scenario.nodes[state.node]
        context = {"scenario": scenario, "node": node, "trust": trust,
                   "options": progress.options(attempt, scenario),
                   "scene": scene_of(scenario, node, trust),
                   "where": where.on_the_way(attempt, scenario, state)}
    context["attempt"] = attempt
    context["last_step"] = last_step or progress.last_step(attempt)
    context["fragment"] = fragment
    template = "_play.html" if fragment else "play.html"
    return make_response(render_template(template, **context))
