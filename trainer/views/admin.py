"""Administration: people and their roles, deactivation, password resets, the staff import."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trainer import clock
from trainer.logos import MAX_BYTES, LogoError
from trainer.store import branding, org, staff_import, staff_uploads
from trainer.views.forms import (
    REFUSED,
    BrandingForm,
    ImportCommitForm,
    ImportForm,
    ResetPasswordForm,
    TeamForm,
    UserForm,
    options,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    teams = [(t.id, f"{t.department.name} / {t.name}") for t in org.all_teams()]
    form.team.choices = options([(0, _("(no team)")), *teams])
    form.manages.choices = options(teams)
    return form


def _people_page(form, search: str = "", page: int = 1):
    people, total = org.people(search, page)
    pages = max(1, -(-total // org.PEOPLE_PER_PAGE))
    return render_template("admin/users.html", people=people, total=total, page=page,
                           per_page=org.PEOPLE_PER_PAGE,
                           pages=pages, search=search, form=form,
                           team_form=TeamForm(prefix="team"))


@bp.route("/users")
def users():
    search = request.args.get("q", "")[:100]
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < len(page) <= 6 else 1
    return _people_page(_user_form(), search, max(page, 1))


@bp.route("/users", methods=["POST"])
def create_user():
    form = _user_form()
    if form.validate_on_submit():
        person, problem = org.add_person(form.name.data, form.email.data, set(form.roles.data),
                                         form.team.data, form.password.data or None,
                                         form.manages.data or [])
        if problem:
            form.email.errors.append(problem)
        else:
            flash(_("%(name)s can now be assigned training and sign in.", name=person.name)
                  if person.password_hash else
                  _("%(name)s can now be assigned training; set a password so they can sign in.",
                    name=person.name), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    # The list is long: the page says at its top that nothing was added, and links to the form.
    flash(_("Nobody was added: see what to correct in the form."), "error")
    return _people_page(form), REFUSED


@bp.route("/teams", methods=["POST"])
def create_team():
    form = TeamForm(prefix="team")
    if form.validate_on_submit():
        team = org.add_team(form.department.data, form.team.data)
        flash(_("Team %(department)s / %(team)s is ready; add people to it and name its "
                "managers on their pages.", department=team.department.name, team=team.name),
              "success")
    else:
        flash(_("No team was added: give both a department and a team name."), "error")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    person = org.person(user_id) or abort(404)
    form = _user_form(obj=person, prefix="edit")
    if request.method == "GET":
        form.team.data = person.team_id or 0
        form.roles.data = sorted(person.roles)
        form.manages.data = [t.id for t in person.managed_teams]
    elif form.validate_on_submit():
        problem = org.save_person(person, current_user, form.name.data, form.email.data,
                                  form.team.data, set(form.roles.data), form.manages.data or [])
        if problem:
            getattr(form, problem[0]).errors.append(problem[1])
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form,
                           reset=ResetPasswordForm(prefix="reset")), REFUSED if form.errors else 200


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int):
    person = org.person(user_id) or abort(404)
    if person.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    elif request.form.get("confirm") != "yes":
        flash(_("%(name)s is still active: tick the box to confirm the deactivation.",
                name=person.name), "error")
    else:
        org.deactivate(person)
        flash(_("%(name)s is deactivated: signed out everywhere; their history stays in the "
                "reports.", name=person.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):
    person = org.person(user_id) or abort(404)
    org.reactivate(person)
    flash(_("%(name)s is active again.", name=person.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    person = org.person(user_id) or abort(404)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        org.reset_password(person, form.new.data)
        flash(_("New password set for %(name)s; their other sessions are signed out. Tell "
                "them the password in person.", name=person.name), "success")
    elif form.new.errors:
        flash(_("Not changed: %(problems)s", problems=" ".join(map(str, form.new.errors))),
              "error")
    else:
        flash(_("Not changed: the form was incomplete."), "error")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/import", methods=["GET", "POST"])
def import_staff():
    """Upload shows a preview and keeps the file; confirming names it by its token."""
    upload, confirm = ImportForm(prefix="upload"), ImportCommitForm(prefix="confirm")
    if "confirm-token" in request.form and confirm.validate_on_submit():
        kept = staff_uploads.take(confirm.token.data, current_user)
        if kept is None:
            return _import_page(upload, 404, refused=_(
                "No file of yours is waiting under this preview (it may have been imported "
                "already). Nothing was written; upload the file again to see what it would do "
                "now."))
        if kept.expired:
            return _import_page(upload, 410, refused=_(
                "This preview is more than an hour old. Nothing was written; upload the file "
                "again to see what it would do now."))
        plan = staff_import.read_file(kept.raw, current_user)
        if plan.ok:
            done = staff_import.apply(plan, confirm.onboarding.data, clock.today(), current_user)
            flash(_("Imported: %(created)d created, %(updated)d updated, %(unchanged)d "
                    "unchanged; %(onboarded)d given onboarding.", created=done.created,
                    updated=done.updated, unchanged=done.unchanged, onboarded=done.onboarded),
                  "success")
            return redirect(url_for("admin.import_staff"))
        return _import_page(upload, REFUSED, plan=plan)
    if "upload-file" in request.files and upload.validate_on_submit():
        plan, token = staff_uploads.preview(upload.file.data.read(), current_user)
        confirm.token.data, confirm.onboarding.data = token, True
        return _import_page(upload, 200 if plan.ok else REFUSED, plan=plan,
                            confirm=confirm if plan.ok else None)
    return _import_page(upload, REFUSED if upload.errors or request.method == "POST" else 200)


def _import_page(upload: ImportForm, status: int, plan=None, confirm=None, refused=None):
    return render_template("admin/import.html", upload=upload, plan=plan, confirm=confirm,
                           refused=refused), status


@bp.route("/branding", methods=["GET", "POST"])
def branding_page():
    """The organisation's name, logo and accent colour, shown in every page's header."""
    brand = branding.current()
    form = BrandingForm(data={"name": brand.name, "accent": brand.accent}
                        if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        upload = form.logo.data.read(MAX_BYTES + 1) if form.logo.data else None
        try:
            branding.save(form.name.data or "", form.accent.data or "", upload,
                          form.remove_logo.data)
        except (branding.BrandingError, LogoError) as problem:
            flash(_("Nothing was changed: %(problem)s", problem=problem), "error")
            status = REFUSED
        else:
            flash(_("The branding is saved; every page shows it now."), "success")
            return redirect(url_for("admin.branding_page"))
    elif form.errors:
        status = REFUSED
    return render_template("admin/branding.html", form=form, brand=branding.current()), status
