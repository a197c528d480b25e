"""Following and assigning training: teams, their matrix, a person's record, choice counts."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from trainer import clock, csvout
from trainer.models import User
from trainer.store import assignments, completions, content, training
from trainer.store import teams as team_data
from trainer.views.forms import AssignForm, options
from trainer.views.returns import safe_return

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _assign_form(team=None) -> AssignForm:
    form = AssignForm()
    # A required select opens on an empty placeholder: nothing is assigned by default.
    form.module.choices = options([("", _("Choose a module"))]
                                  + [(m.id, m.title) for m in content.modules()])
    form.target.choices = options([("", _("Choose who"))]
                                  + list(team_data.assign_targets(current_user, team)))
    return form


@bp.route("/")
def teams():
    visible = team_data.visible_teams(current_user)
    ids = [t.id for t in visible]
    return render_template("manage/teams.html", teams=visible,
                           overdue=team_data.overdue(ids, clock.today()),
                           form=_assign_form(), return_to=url_for("manage.teams"))


@bp.route("/teams/<int:team_id>")
def team(team_id: int):
    found = team_data.team_for(current_user, team_id) or abort(404)
    today = clock.today()
    member_ids = [p.id for p in found.members]
    matrix = team_data.matrix(found, today, request.args.get("sort", ""),
                              request.args.get("module"))
    return render_template("manage/team.html", team=found, matrix=matrix,
                           overdue=team_data.overdue([found.id], today),
                           principles=training.principle_results(member_ids),
                           scenarios=content.library().scenarios.values(),
                           form=_assign_form(found),
                           return_to=url_for("manage.team", team_id=found.id))


@bp.route("/teams/<int:team_id>/matrix.csv")
def matrix_export(team_id: int):
    """The team's matrix as a spreadsheet, in the order the page sorts it by."""
    found = team_data.team_for(current_user, team_id) or abort(404)
    today = clock.today()
    headers, rows = team_data.matrix_table(team_data.matrix(
        found, today, request.args.get("sort", ""), request.args.get("module")))
    response = Response(csvout.stream([csvout.safe_cell(h) for h in headers], rows),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="team-{found.id}-{today.isoformat()}.csv"'
    return response


@bp.route("/teams/<int:team_id>/choices")
def choices(team_id: int):
    found = team_data.team_for(current_user, team_id) or abort(404)
    scenario = content.current(request.args.get("scenario", "")) or abort(404)
    return render_template("manage/choices.html", team=found, scenario=scenario,
                           decisions=team_data.choice_counts(found, scenario.id))


def _person(user_id: int) -> User:
    return team_data.person_for(current_user, user_id) or abort(404)


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    found = _person(user_id)
    return render_template("manage/person.html", person=found,
                           modules=training.my_modules(found, clock.today()),
                           principles=training.principle_results([found.id]),
                           attempts=team_data.person_attempts(found),
                           certificates=completions.of_person(found.id),
                           due_changes=assignments.due_date_changes(found.id),
                           scenarios=content.library().scenarios)


@bp.route("/people/<int:user_id>/attempts/<int:attempt_id>")
def person_attempt(user_id: int, attempt_id: int):
    found = _person(user_id)
    attempt = team_data.attempt_of_person(found, attempt_id) or abort(404)
    return render_template("manage/attempt.html", person=found, attempt=attempt,
                           principle_names=content.principle_names())


@bp.route("/assign", methods=["POST"])
def assign():
    form = _assign_form()
    # Which targets this person may use is resolve_target's to say (someone else's: 404),
    # whichever page the form was sent from.
    form.target.validate_choice = False
    back = safe_return(request.form.get("return_to"), url_for("manage.teams"), "/manage")
    if not form.validate_on_submit():
        problems = "; ".join(_("%(field)s: %(errors)s", field=getattr(form, name).label.text,
                               errors=" ".join(errors))
                             for name, errors in form.errors.items())
        flash(_("Nothing was assigned. %(problems)s", problems=problems), "error")
        return redirect(back)
    people = team_data.resolve_target(current_user, form.target.data)
    if people is None:
        abort(404)
    if form.due.data < clock.today():
        flash(_("Nothing was assigned: the due date is in the past."), "error")
        return redirect(back)
    module = content.module(form.module.data)
    result = assignments.assign(module, people, form.due.data, current_user,
                                move_due=form.move_due.data, today=clock.today())
    flash(_("%(title)s: %(what)s", title=module.title, what=assign_message(result)), "success")
    return redirect(back)


def assign_message(result: assignments.AssignResult) -> str:
    """What an assignment did, in words: nobody's due date changes unseen."""
    # The counts of people take ngettext even where English says no noun, so that a language
    # can put one in the form the number needs.
    said = [ngettext("assigned to %(num)d new person", "assigned to %(num)d new people",
                     result.created)]
    if result.updated and result.moved_overdue:
        said.append(ngettext(
            "due date moved for %(num)d (%(overdue)d of them overdue: how late they were "
            "stays on their page)",
            "due date moved for %(num)d (%(overdue)d of them overdue: how late they were "
            "stays on their page)", result.updated, overdue=result.moved_overdue))
    elif result.updated:
        said.append(ngettext("due date moved for %(num)d", "due date moved for %(num)d",
                             result.updated))
    if result.kept and result.kept_overdue:
        said.append(ngettext(
            "%(num)d already had it and keep their own due date, %(overdue)d of them overdue "
            "(tick 'Also move' to change it)",
            "%(num)d already had it and keep their own due date, %(overdue)d of them overdue "
            "(tick 'Also move' to change it)", result.kept, overdue=result.kept_overdue))
    elif result.kept:
        said.append(ngettext(
            "%(num)d already had it and keep their own due date (tick 'Also move' to change "
            "it)",
            "%(num)d already had it and keep their own due date (tick 'Also move' to change "
            "it)", result.kept))
    if result.unchanged:
        said.append(ngettext("%(num)d already had it with this date or completed",
                             "%(num)d already had it with this date or completed",
                             result.unchanged))
    return "; ".join(said) + "."
