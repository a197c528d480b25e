"""HR's completion reports: filters, tables, charts, and the CSV export of every table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from trainer import charts, clock, csvout
from trainer.store import content, org, reports

bp = Blueprint("reports", __name__, url_prefix="/reports")
# The dates a filter may name: far enough for any history, near enough that a day, a month or
# a year on either side is still a date.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
PER_PAGE = 50  # rows of the overdue list, and of the team table, on one page
PAGE_ARGS = ("overdue_page", "team_page")


def read_filters(departments: list, teams: list) -> tuple[reports.Filters, list[str]]:
    """The filters from the query string, checked against the organisation's departments and
    teams; anything unreadable or impossible is dropped with a message."""
    args, problems = request.args, []

    def day(name: str) -> date | None:
        value = args.get(name, "").strip()
        if not value:
            return None
        try:
            found = date.fromisoformat(value)
        except ValueError:
            problems.append(_("'%(value)s' is not a date like 2026-03-31; that filter is "
                              "ignored.", value=value))
            return None
        if not EARLIEST <= found <= LATEST:
            problems.append(_("%(value)s is outside the years %(first)d–%(last)d a report "
                              "covers; that filter is ignored.", value=value,
                              first=EARLIEST.year, last=LATEST.year))
            return None
        return found

    def number(name: str) -> int | None:
        value = args.get(name, "").strip()
        # ASCII digits only ('²' is a digit to Python, not to int), few enough for a BIGINT.
        ok = value.isascii() and value.isdigit() and len(value) <= 18
        if value and not ok:
            problems.append(_("'%(value)s' is not a valid choice; that filter is ignored.",
                              value=value))
        return int(value) if ok else None

    module = args.get("module", "").strip() or None
    if module and content.module(module) is None:
        problems.append(_("There is no module '%(module)s'; that filter is ignored.",
                          module=module))
        module = None
    department, team = number("department"), number("team")
    departments = {d.id: d for d in departments}
    teams = {t.id: t for t in teams}
    if department is not None and department not in departments:
        problems.append(_("There is no such department (it may have been removed); that "
                          "filter is ignored."))
        department = None
    if team is not None and team not in teams:
        problems.append(_("There is no such team (it may have been removed); that filter is "
                          "ignored."))
        team = None
    if department is not None and team is not None \
            and teams[team].department_id != department:
        problems.append(_("The team %(team)s is in %(department)s, not in %(other)s; no rows "
                          "can match both.", team=teams[team].name,
                          department=teams[team].department.name,
                          other=departments[department].name))
    filters = reports.Filters(day("from"), day("to"), department, team, module, day("as_of"))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        problems.append(_("The period ends before it starts; no rows can match."))
    return filters, problems


def _filter_args(filters: reports.Filters) -> dict[str, str]:
    """The filters as the query string names them: what every link on the page keeps."""
    values = {"from": filters.date_from, "to": filters.date_to,
              "department": filters.department_id, "team": filters.team_id,
              "module": filters.module_id, "as_of": filters.as_of}
    return {name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in values.items() if value is not None}


def _report_url(filters: reports.Filters, pages: dict[str, int]):
    """report_url(**changes): this report with the filters and pages shown, changed. A
    changed filter starts the lists again at their first page; a department drops the team,
    which may not be in it."""
    kept = {**_filter_args(filters), **{name: str(n) for name, n in pages.items() if n > 1}}

    def report_url(_anchor: str | None = None, **changes) -> str:
        args = dict(kept)
        if set(changes) - set(PAGE_ARGS):
            for name in PAGE_ARGS:
                args.pop(name, None)
        if "department" in changes:
            args.pop("team", None)
        args.update({name: str(value) for name, value in changes.items()})
        return url_for("reports.completion", **args, _anchor=_anchor)
    return report_url


@dataclass(frozen=True)
class Pages:
    """Where a paginated list stands, with the links to its neighbours (None: none)."""

    number: int
    count: int
    first: str | None
    previous: str | None
    next: str | None
    last: str | None


def _page_number(name: str, rows: int) -> tuple[int, int]:
    """The page asked for in the query string, within 1..the number of pages; and that
    number (at least 1, so that an empty list is 'page 1 of 1')."""
    count = max(1, -(-rows // PER_PAGE))
    value = request.args.get(name, "").strip()
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else 1
    return min(max(number, 1), count), count


def _pages(name: str, number: int, count: int, report_url, anchor: str) -> Pages:
    def link(n: int) -> str:
        return report_url(_anchor=anchor, **{name: n})
    before, after = number > 1, number < count
    return Pages(number, count, link(1) if before else None,
                 link(number - 1) if before else None, link(number + 1) if after else None,
                 link(count) if after else None)


@bp.route("/")
def completion():
    departments, teams = org.all_departments(), org.all_teams()  # for the filters and the form
    filters, problems = read_filters(departments, teams)
    today = clock.today()
    tables = reports.completions(filters, today)  # one pass for the three tables
    by_department, by_team = tables["department"], tables["team"]
    histogram = reports.score_histogram(filters)
    monthly = reports.monthly(filters, today)
    if filters.date_from and monthly and monthly[0].month > filters.date_from:
        problems.append(ngettext(
            "The period is longer than %(num)d month: the monthly table shows its last "
            "%(num)d.",
            "The period is longer than %(num)d months: the monthly table shows its last "
            "%(num)d.", reports.MAX_MONTHS))
    overdue_total = reports.overdue_total(tables)
    overdue_page, overdue_pages = _page_number("overdue_page", overdue_total)
    team_page, team_pages = _page_number("team_page", len(by_team))
    report_url = _report_url(filters, {"overdue_page": overdue_page, "team_page": team_page})
    return render_template(
        "reports/completion.html", filters=filters, problems=problems,
        by_department=by_department, by_module=tables["module"],
        by_team=by_team[(team_page - 1) * PER_PAGE:team_page * PER_PAGE],
        team_pages=_pages("team_page", team_page, team_pages, report_url, "by-team"),
        overdue=reports.overdue_page(filters, today, overdue_page, PER_PAGE),
        overdue_pages=_pages("overdue_page", overdue_page, overdue_pages, report_url,
                             "overdue"),
        overdue_headers=reports.OVERDUE_HEADERS, overdue_total=overdue_total,
        monthly=monthly, monthly_chart=charts.month_chart(
            [(r.label, r.completions, r.average) for r in monthly]),
        as_of=filters.as_of or today, certified=reports.certified_on(filters, today),
        histogram=histogram,
        principles=reports.principles(filters),
        completion_chart=charts.percent_chart([(r.label, r.percent) for r in by_department]),
        score_chart=charts.histogram(histogram),
        departments=departments, teams=teams, modules=content.modules(),
        query=urlencode(_filter_args(filters)),
        **_row_links(report_url))


def _row_links(report_url) -> dict:
    """Where each table's rows lead, from the row's id: a department and a module to this
    report narrowed to it, a team to its page; a row of no team or department nowhere."""
    known = {m.id for m in content.modules()}  # a removed module cannot be filtered on
    return {
        "department_link": lambda d: None if d is None else report_url(department=d),
        "team_link": lambda t: None if t is None else url_for("manage.team", team_id=t),
        "module_link": lambda m: report_url(module=m) if m in known else None,
    }


@bp.route("/<name>.csv")
def export(name: str):
    if name not in reports.TABLES:
        abort(404)
    filters, _problems = read_filters(org.all_departments(), org.all_teams())
    headers, rows = reports.table(name, filters, clock.today())
    response = Response(stream_with_context(csvout.stream(headers, rows)),
                        mimetype="text/csv")
    day = (filters.as_of or clock.today()) if name == "certified" else clock.today()
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{name}-{day.isoformat()}.csv"'
    return response
