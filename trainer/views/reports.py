"""HR's completion reports: filters, tables, charts, and the CSV export of every table."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from trainer import charts, clock, csvout
from trainer.store import content, org, reports

bp = Blueprint("reports", __name__, url_prefix="/reports")
OVERDUE_ON_PAGE = 200


def _filters(departments: list, teams: list) -> tuple[reports.Filters, list[str]]:
    """The filters from the query string, checked against the organisation's departments and
    teams; anything unreadable or impossible is dropped with a message."""
    args, problems = request.args, []

    def day(name: str) -> date | None:
        value = args.get(name, "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append(f"'{value}' is not a date like 2026-03-31; that filter is ignored.")
            return None

    def number(name: str) -> int | None:
        value = args.get(name, "").strip()
        # ASCII digits only ('²' is a digit to Python, not to int), few enough for a BIGINT.
        ok = value.isascii() and value.isdigit() and len(value) <= 18
        if value and not ok:
            problems.append(f"'{value}' is not a valid choice; that filter is ignored.")
        return int(value) if ok else None

    module = args.get("module", "").strip() or None
    if module and content.module(module) is None:
        problems.append(f"There is no module '{module}'; that filter is ignored.")
        module = None
    department, team = number("department"), number("team")
    departments = {d.id: d for d in departments}
    teams = {t.id: t for t in teams}
    if department is not None and department not in departments:
        problems.append("There is no such department (it may have been removed); that filter "
                        "is ignored.")
        department = None
    if team is not None and team not in teams:
        problems.append("There is no such team (it may have been removed); that filter is "
                        "ignored.")
        team = None
    if department is not None and team is not None \
            and teams[team].department_id != department:
        problems.append(f"The team {teams[team].name} is in {teams[team].department.name}, not "
                        f"in {departments[department].name}; no rows can match both.")
    filters = reports.Filters(day("from"), day("to"), department, team, module)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        problems.append("The period ends before it starts; no rows can match.")
    return filters, problems


@bp.route("/")
def completion():
    departments, teams = org.all_departments(), org.all_teams()  # for the filters and the form
    filters, problems = _filters(departments, teams)
    today = clock.today()
    tables = reports.completions(filters, today)  # one pass for the three tables
    by_department = tables["department"]
    histogram = reports.score_histogram(filters)
    return render_template(
        "reports/completion.html", filters=filters, problems=problems,
        by_department=by_department, by_team=tables["team"], by_module=tables["module"],
        overdue=list(reports.overdue(filters, today, limit=OVERDUE_ON_PAGE)),
        overdue_headers=reports.OVERDUE_HEADERS,
        overdue_total=reports.overdue_total(tables),
        histogram=histogram,
        principles=reports.principles(filters),
        completion_chart=charts.percent_chart([(r.label, r.percent) for r in by_department]),
        score_chart=charts.histogram(histogram),
        departments=departments, teams=teams, modules=content.modules(),
        query=request.query_string.decode())


@bp.route("/<name>.csv")
def export(name: str):
    if name not in reports.TABLES:
        abort(404)
    filters, _ = _filters(org.all_departments(), org.all_teams())
    headers, rows = reports.table(name, filters, clock.today())
    response = Response(stream_with_context(csvout.stream(headers, rows)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{name}-{clock.today().isoformat()}.csv"'
    return response
