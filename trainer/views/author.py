"""The author's workbench: scenarios and drafts, the branch map with what learners did,
previews that record nothing, publishing and rolling back, and the options learners choose."""
from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from trainer import branchmap
from trainer import preview as previews
from trainer.engine import PlayError, Scenario
from trainer.engine.library import decode
from trainer.store import authoring, content, org
from trainer.views.forms import REFUSED, DraftEditForm, DraftForm, RollbackForm
from trainer.views.reports import read_filters

bp = Blueprint("author", __name__)
# A scenario file may be up to 4 MB (the loader's limit); sent as form text it grows by about a
# fifth, so the workbench takes more than the app's usual 2 MB a request.
MAX_REQUEST = 6 * 1024 * 1024
ZOOMS = (10, 25, 50, 100)  # percent of the map's own size; 10: an overview of a large one


def room_for_a_scenario() -> None:
    """Registered by create_app before the CSRF check reads any form: the workbench's pages
    take a whole scenario file."""
    if (request.endpoint or "").startswith("author."):
        request.max_content_length = MAX_REQUEST


@bp.route("/author/")
def index():
    library = content.library()
    shipped = content.folder_library().scenarios
    scenarios = sorted(library.scenarios.values(), key=lambda s: s.title.lower())
    return render_template("author/index.html", scenarios=scenarios, shipped=shipped,
                           drafts=authoring.open_drafts(), form=DraftForm(),
                           broken=content.folder_library().broken,
                           withdrawn=authoring.withdrawn())


@bp.route("/author/drafts", methods=["POST"])
def new_draft():
    form = DraftForm()
    if form.validate_on_submit():
        if form.file.data:
            name = _file_name(form.file.data.filename)
            text, problem = decode(form.file.data.read(), name)
            if problem is not None:
                form.file.errors.append(f"{problem.file}:{problem.line}: {problem.message}")
        elif form.text.data and form.text.data.strip():
            name, text = _file_name(form.name.data or "untitled.md"), form.text.data
        else:
            form.file.errors.append(_("Choose a scenario file, or paste its text below."))
            text = None
        if text is not None and not form.file.errors:
            checked = authoring.save_draft(current_user, name, text.replace("\r\n", "\n"))
            flash(_verdict(checked), "success" if checked.ok else "error")
            return redirect(url_for("author.draft", draft_id=checked.draft.id))
    library = content.library()
    return render_template("author/index.html", form=form, drafts=authoring.open_drafts(),
                           scenarios=sorted(library.scenarios.values(),
                                            key=lambda s: s.title.lower()),
                           shipped=content.folder_library().scenarios,
                           broken=content.folder_library().broken,
                           withdrawn=authoring.withdrawn()), REFUSED


def _file_name(given: str) -> str:
    """A plain file name ending in .md, whatever path or name the browser sent."""
    name = PurePath((given or "").replace("\\", "/")).name.strip() or "untitled.md"
    name = "".join(c for c in name if c.isalnum() or c in "-_.")[:100] or "untitled"
    return name if name.endswith(".md") else name.rsplit(".", 1)[0] + ".md"


def _verdict(checked: authoring.Checked) -> str:
    if checked.ok:
        return _("Saved.")
    return ngettext("Saved as a draft, with %(num)d problem to fix (listed by line below).",
                    "Saved as a draft, with %(num)d problems to fix (listed by line below).",
                    len(checked.problems))


def _draft(draft_id: int):
    return authoring.draft(draft_id) or abort(404)


@bp.route("/author/drafts/<int:draft_id>")
def draft(draft_id: int):
    found = _draft(draft_id)
    return _draft_page(authoring.check(found), DraftEditForm(source=found.source))


def _draft_page(checked: authoring.Checked, form: DraftEditForm, status: int = 200):
    scenario = checked.scenario
    playing = content.current(scenario.id) if scenario is not None else None
    changes = authoring.diff(playing.source, checked.draft.source,
                             f"{playing.file} (playing now)", f"{checked.draft.file} (draft)") \
        if playing is not None else None
    lines = checked.draft.source.splitlines()
    context = {p.line: [(number, lines[number - 1]) for number in
                        range(max(1, p.line - 1), min(len(lines), p.line + 1) + 1)]
               for p in checked.problems}
    return render_template("author/draft.html", checked=checked, form=form, playing=playing,
                           changes=changes, context=context,
                           pass_mark=content.library().pass_mark(scenario.id)
                           if scenario is not None else None,
                           drawn=branchmap.draw(scenario) if _drawable(checked) else None,
                           rollback=RollbackForm()), status


def _drawable(checked: authoring.Checked) -> bool:
    """A map needs every arrow to land: a draft that parses and has no broken reference."""
    scenario = checked.scenario
    return scenario is not None and all(
        route.target in scenario.nodes for node in scenario.nodes.values()
        for choice in node.choices for route in choice.routes)


@bp.route("/author/drafts/<int:draft_id>", methods=["POST"])
def save_draft(draft_id: int):
    found = _draft(draft_id)
    if found.published_at is not None:
        flash(_("This draft was published; edit a new copy of the scenario instead."), "error")
        return redirect(url_for("author.draft", draft_id=found.id))
    form = DraftEditForm()
    if not form.validate_on_submit():
        return _draft_page(authoring.check(found), form, REFUSED)
    checked = authoring.save_draft(current_user, found.file,
                                   form.source.data.replace("\r\n", "\n"), found)
    flash(_verdict(checked), "success" if checked.ok else "error")
    return redirect(url_for("author.draft", draft_id=found.id))  # the problems, by line


@bp.route("/author/drafts/<int:draft_id>/publish", methods=["POST"])
def publish(draft_id: int):
    found = _draft(draft_id)  # the form is only a button: CSRFProtect checks every POST
    try:
        publication = authoring.publish(authoring.check(found), current_user)
    except authoring.PublishError as why:
        flash(str(why), "error")
        return redirect(url_for("author.draft", draft_id=found.id))
    flash(_("Published: learners now play this version of %(title)s. Earlier attempts stay "
            "with the version they were played on.", title=publication.version.title),
          "success")
    return redirect(url_for("author.scenario", scenario_id=publication.scenario_id))


@bp.route("/author/drafts/<int:draft_id>/delete", methods=["POST"])
def delete_draft(draft_id: int):
    found = _draft(draft_id)
    authoring.delete_draft(found)
    flash(_("The draft %(file)s was deleted.", file=found.file), "success")
    return redirect(url_for("author.index"))


@bp.route("/author/drafts/<int:draft_id>/map")
def draft_map(draft_id: int):
    found = _draft(draft_id)
    checked = authoring.check(found)
    if not _drawable(checked):
        abort(404, _("This draft cannot be drawn until it parses and every route leads to a "
                     "situation."))
    return _map_page(checked.scenario, None, draft=found)


def _scenario(scenario_id: str) -> Scenario:
    return content.current(scenario_id) or abort(404)


@bp.route("/author/scenarios/<scenario_id>")
def scenario(scenario_id: str):
    playing = _scenario(scenario_id)
    return render_template("author/scenario.html", scenario=playing,
                           history=authoring.history(scenario_id),
                           shipped=content.folder_library().scenarios.get(scenario_id),
                           rollback=RollbackForm())


@bp.route("/author/scenarios/<scenario_id>/edit", methods=["POST"])
def edit(scenario_id: str):
    checked = authoring.draft_of(_scenario(scenario_id), current_user)
    flash(_("A draft with the text learners play now: edit it, preview it, publish it."),
          "success")
    return redirect(url_for("author.draft", draft_id=checked.draft.id))


@bp.route("/author/scenarios/<scenario_id>/withdraw", methods=["POST"])
def withdraw(scenario_id: str):
    playing = _scenario(scenario_id)
    try:
        authoring.withdraw(scenario_id, current_user)
    except authoring.PublishError as why:
        flash(str(why), "error")
        return redirect(url_for("author.scenario", scenario_id=scenario_id))
    flash(_("%(title)s is withdrawn: learners no longer see it. Their attempts stay in their "
            "history; edit its last version below to publish it again.", title=playing.title),
          "success")
    return redirect(url_for("author.index"))


@bp.route("/author/versions/<int:version_id>/edit", methods=["POST"])
def edit_version(version_id: int):
    found = authoring.version(version_id) or abort(404)
    checked = authoring.draft_of_version(found, current_user)
    flash(_("A draft with that version's text: edit it, preview it, publish it."), "success")
    return redirect(url_for("author.draft", draft_id=checked.draft.id))


@bp.route("/author/scenarios/<scenario_id>/rollback", methods=["POST"])
def roll_back(scenario_id: str):
    _scenario(scenario_id)
    form = RollbackForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = form.version.data
    if wanted == "file":
        version = authoring.file_version(scenario_id)
        version_id = version.id if version is not None else 0
    else:
        version_id = int(wanted) if wanted.isascii() and wanted.isdigit() else 0
    try:
        publication = authoring.roll_back(scenario_id, version_id, current_user)
    except authoring.PublishError as why:
        flash(str(why), "error")
    else:
        flash(_("Rolled back: learners now play version %(version)s again.",
                version=publication.version.version), "success")
    return redirect(url_for("author.scenario", scenario_id=scenario_id))


@bp.route("/author/scenarios/<scenario_id>/versions/<int:version_id>/diff")
def version_diff(scenario_id: str, version_id: int):
    playing = _scenario(scenario_id)
    found = authoring.version(version_id)
    if found is None or found.scenario_id != scenario_id:
        abort(404)
    return render_template("author/diff.html", scenario=playing, version=found,
                           changes=authoring.diff(found.source, playing.source,
                                                  f"version {found.version}",
                                                  f"version {playing.version} (playing now)"))


def _version_scenario(scenario_id: str) -> tuple[Scenario, int | None]:
    """The version asked for (?version=<id>), else the one playing now; with its id."""
    playing = _scenario(scenario_id)
    wanted = request.args.get("version", "")
    if not wanted:
        return playing, None
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        abort(404)
    found = authoring.version(int(wanted))
    if found is None or found.scenario_id != scenario_id:
        abort(404)
    return content.scenario_of(found.id), found.id


@bp.route("/scenarios/<scenario_id>/map", endpoint="map")
def scenario_map(scenario_id: str):
    shown, version_id = _version_scenario(scenario_id)
    return _map_page(shown, version_id)


def _map_page(scenario: Scenario, version_id: int | None, draft=None):
    departments, teams = org.all_departments(), org.all_teams()
    filters, problems = read_filters(departments, teams) if draft is None else (None, [])
    found = authoring.traffic(scenario, filters) if draft is None else None
    drawn = branchmap.draw(scenario, found.traffic if found else None)
    zoom = request.args.get("zoom", "")
    zoom = int(zoom) if zoom in {str(z) for z in ZOOMS} else _fitting_zoom(drawn)
    selected = scenario.nodes.get(request.args.get("node", ""))
    return render_template("author/map.html", scenario=scenario, drawn=drawn, zoom=zoom,
                           zooms=ZOOMS, selected=selected, version_id=version_id, draft=draft,
                           filters=filters, problems=problems, other_versions=found.other_versions
                           if found else 0, departments=departments, teams=teams,
                           query=request.args.to_dict(), box_width=branchmap.BOX_WIDTH,
                           box_height=branchmap.BOX_HEIGHT,
                           preview_ref=None if draft else str(version_id or scenario.id),
                           preview_kind="version" if version_id else "scenario")


def _fitting_zoom(drawn: branchmap.BranchMap) -> int:
    """Shown whole when small; a large map opens smaller, as an overview to scroll."""
    for zoom in (100, 50, 25):
        if drawn.width * zoom / 100 <= 2400:
            return zoom
    return 10


@bp.route("/author/scenarios/<scenario_id>/choices")
def choices(scenario_id: str):
    shown, version_id = _version_scenario(scenario_id)
    departments, teams = org.all_departments(), org.all_teams()
    filters, problems = read_filters(departments, teams)
    decisions, team_names, published = authoring.choice_figures(shown, filters)
    return render_template("author/choices.html", scenario=shown, decisions=decisions,
                           team_names=team_names, published=published, filters=filters,
                           problems=problems, departments=departments, teams=teams,
                           version_id=version_id, min_for_flags=authoring.MIN_FOR_FLAGS)


def _preview_scenario(kind: str, ref: str) -> Scenario:
    """What plays now ("scenario", by id), a draft without problems, or a stored version."""
    if kind == "scenario":
        return _scenario(ref)
    number = int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 18 else 0
    if kind == "draft":
        checked = authoring.check(_draft(number))
        if not checked.ok:
            abort(404, _("A draft can be previewed once the validator finds no problem in it."))
        return checked.scenario
    if kind == "version":
        found = authoring.version(number) or abort(404)
        return content.scenario_of(found.id)
    abort(404)


@bp.route("/author/preview/<kind>/<ref>")
def preview(kind: str, ref: str):
    scenario = _preview_scenario(kind, ref)
    try:
        shown = previews.begin(scenario, request.args.get("node") or None)
    except PlayError as why:
        abort(404, str(why))
    return render_template("author/preview.html", shown=shown, kind=kind, ref=ref)


@bp.route("/author/preview/<kind>/<ref>", methods=["POST"])
def preview_move(kind: str, ref: str):
    scenario = _preview_scenario(kind, ref)
    form = request.form
    try:
        state = previews.read_state(scenario, form.get("state", ""))
    except PlayError as why:  # not a state this page made: start again
        return render_template("author/preview.html", shown=previews.begin(scenario),
                               kind=kind, ref=ref, error=f"{why}.", restarted=True), REFUSED
    action = form.get("action", "")
    try:
        if action == "choose":
            shown = previews.choose(scenario, state, form.get("choice", ""))
        elif action == "jump":
            shown = previews.shown(scenario, previews.jump(scenario, state, form.get("node", "")))
        elif action == "set":
            shown = previews.shown(scenario, previews.set_values(
                scenario, state, {k[4:]: v for k, v in form.items() if k.startswith("var-")}))
        elif action == "restart":
            shown = previews.begin(scenario)
        else:
            raise PlayError(_("there is no such move in a preview"))
    except PlayError as why:  # a move refused: stay where the preview was
        return render_template("author/preview.html", shown=previews.shown(scenario, state),
                               kind=kind, ref=ref, error=f"{why}."), REFUSED
    return render_template("author/preview.html", shown=shown, kind=kind, ref=ref)
