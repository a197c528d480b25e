"""HR's reports over time: completions and scores per month, and who is certified on a day,
checked against a small organisation made by hand."""
from datetime import date, datetime, time, timedelta

import pytest
from conftest import TODAY
from sqlalchemy.dialects import postgresql

from trainer.extensions import db
from trainer.models import Assignment, Attempt, Completion
from trainer.store import completions, content, reports
from trainer.store.reports import Filters

JAN, MAR = date(2025, 1, 1), date(2025, 3, 1)
FIRST_QUARTER = Filters(JAN, date(2025, 3, 31))


@pytest.fixture
def app(small_app):
    """The app on the small scenarios folder (tests/small_content.py)."""
    return small_app


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second))


def complete(user_id: int, module_id: str, when: datetime,
             valid_until: date | None = None) -> Completion:
    """A completed round of `module_id`, as the completions history keeps it."""
    assignment = db.session.query(Assignment).filter_by(user_id=user_id,
                                                        module_id=module_id).first()
    if assignment is None:
        assignment = Assignment(user_id=user_id, module_id=module_id, due_date=when.date(),
                                completed_at=when)
        db.session.add(assignment)
        db.session.flush()
    row = Completion(assignment_id=assignment.id, user_id=user_id, module_id=module_id,
                     module_title=module_id, completed_at=when, valid_until=valid_until,
                     scores={}, token=completions.new_token())
    db.session.add(row)
    db.session.flush()
    return row


def attempt(user_id: int, scenario_id: str, percent: int, finished: datetime,
            status: str = Attempt.FINISHED) -> None:
    version = content.version_row(content.current(scenario_id))
    db.session.add(Attempt(user_id=user_id, scenario_id=scenario_id, version_id=version.id,
                           seed=1, state={}, status=status, percent=percent,
                           finished_at=finished))
    db.session.flush()


@pytest.fixture
def history(app, people):
    """Ann (team x), Bob (team y), Cat (department Support) and Mia (team x) over the first
    quarter of 2025, with a completion on each edge of it that falls outside."""
    ids = people.ids
    with app.app_context():
        complete(ids["ann"], "onboarding", at(date(2025, 1, 5)))
        complete(ids["ann"], "first-contact", at(date(2025, 1, 31), 23, 59, 59))
        complete(ids["bob"], "onboarding", at(date(2025, 1, 15)))
        complete(ids["cat"], "queues", at(MAR, 0))
        complete(ids["mia"], "onboarding", at(date(2024, 12, 31), 23, 59, 59))  # before
        complete(ids["mia"], "queues", at(date(2025, 4, 1), 0))  # after
        attempt(ids["ann"], "late-delivery", 70, at(date(2025, 1, 10), 0))  # onboarding
        attempt(ids["bob"], "cold-soup", 81, at(date(2025, 1, 20)))  # first contact only
        attempt(ids["cat"], "long-queue", 90, at(date(2025, 3, 2)))  # queues
        attempt(ids["cat"], "long-queue", 10, at(date(2025, 3, 3)), Attempt.ABANDONED)
        attempt(ids["mia"], "wrong-size", 0, at(date(2025, 4, 1), 0))  # after
        db.session.commit()
    return people


def monthly(f: Filters, today: date = TODAY) -> list[tuple]:
    return [(r.label, r.completions, r.people, r.average) for r in reports.monthly(f, today)]


def test_each_month_counts_completions_people_and_the_average_finished_score(app, history):
    with app.app_context():
        # January: three completions by two people; (70 + 81) / 2 = 75.5, rounded up.
        # February: nothing, still a row. March: the abandoned attempt's score is left out.
        assert monthly(FIRST_QUARTER) == [("2025-01", 3, 2, 76), ("2025-02", 0, 0, None),
                                          ("2025-03", 1, 1, 90)]


def test_the_months_narrow_to_a_department_a_team_and_a_module(app, history):
    with app.app_context():
        support = Filters(JAN, date(2025, 3, 31), department_id=history.departments["support"])
        assert monthly(support) == [("2025-01", 0, 0, None), ("2025-02", 0, 0, None),
                                    ("2025-03", 1, 1, 90)]
        team_x = Filters(JAN, date(2025, 3, 31), team_id=history.teams["x"])
        assert monthly(team_x) == [("2025-01", 2, 1, 70), ("2025-02", 0, 0, None),
                                   ("2025-03", 0, 0, None)]
        # Onboarding holds late-delivery and wrong-size: Bob's cold soup is not its score.
        onboarding = Filters(JAN, date(2025, 3, 31), module_id="onboarding")
        assert monthly(onboarding) == [("2025-01", 2, 2, 70), ("2025-02", 0, 0, None),
                                       ("2025-03", 0, 0, None)]


def test_a_period_that_starts_or_ends_within_a_month_counts_only_its_days(app, history):
    with app.app_context():
        # From 10 January: Ann's onboarding of the 5th is out, her attempt at 00:00 on the
        # 10th in. To 1 March: Cat's completion at its first second is in, her score not.
        f = Filters(date(2025, 1, 10), MAR)
        assert monthly(f) == [("2025-01", 2, 2, 76), ("2025-02", 0, 0, None),
                              ("2025-03", 1, 1, None)]
        assert monthly(Filters(MAR, date(2025, 1, 10))) == []  # backwards: no month
        assert monthly(Filters(date(2025, 3, 31), MAR)) == []  # not even within one month


def test_without_a_period_the_table_covers_the_twelve_months_up_to_today(app, people):
    with app.app_context():
        complete(people.ids["ann"], "onboarding", at(TODAY, 0))
        db.session.commit()
        rows = reports.monthly(Filters(), TODAY)
    first = date(TODAY.year - (TODAY.month < 12), (TODAY.month % 12) + 1, 1)
    assert len(rows) == 12
    assert rows[0].month == first and rows[-1].month == TODAY.replace(day=1)
    assert [r.completions for r in rows] == [0] * 11 + [1]
    with app.app_context():  # a period that only ends: the twelve months up to its end
        assert [r.label for r in reports.monthly(Filters(date_to=date(2025, 2, 14)), TODAY)] \
            == [f"2024-{m:02d}" for m in range(3, 13)] + ["2025-01", "2025-02"]


def test_a_period_of_decades_shows_its_last_ten_years(app, people):
    with app.app_context():
        rows = reports.monthly(Filters(date(1990, 1, 1), date(2025, 3, 31)), TODAY)
    assert len(rows) == reports.MAX_MONTHS
    assert (rows[0].label, rows[-1].label) == ("2015-04", "2025-03")


def test_the_months_are_grouped_without_strftime_on_postgresql():
    sql = str(reports._by_month(Completion.completed_at, Completion.user_id).compile(
        dialect=postgresql.dialect())).lower()
    assert "extract(year from" in sql and "strftime" not in sql


def test_the_monthly_export_has_the_tables_rows(app, history):
    with app.app_context():
        headers, rows = reports.table("monthly", FIRST_QUARTER, TODAY)
        assert headers == reports.MONTHLY_HEADERS
        assert list(rows) == [("2025-01", 3, 2, 76), ("2025-02", 0, 0, ""),
                              ("2025-03", 1, 1, 90)]


# --- certified on a day ----------------------------------------------------------------------

ON = date(2026, 6, 1)


@pytest.fixture
def certificates(app, people):
    ids = people.ids
    with app.app_context():
        # Ann's onboarding ran out before the day; Bob's never runs out; Cat's queues runs
        # out on the day itself (still valid that day); Mia completed after the day.
        complete(ids["ann"], "onboarding", at(date(2025, 1, 5)), valid_until=date(2026, 1, 5))
        complete(ids["bob"], "onboarding", at(date(2025, 1, 15)), valid_until=None)
        complete(ids["ann"], "first-contact", at(date(2025, 2, 1)), valid_until=None)
        complete(ids["cat"], "queues", at(date(2025, 6, 1)), valid_until=ON)
        complete(ids["mia"], "onboarding", at(ON + timedelta(days=1), 0))
        # Max renewed in time: two completions, one person certified.
        complete(ids["max"], "onboarding", at(date(2024, 6, 1)), valid_until=date(2025, 6, 1))
        complete(ids["max"], "onboarding", at(date(2025, 5, 20)), valid_until=date(2026, 12, 1))
        db.session.commit()
    return people


def certified(f: Filters, today: date = TODAY) -> list[tuple[str, int]]:
    return [(r.module_id, r.people) for r in reports.certified_on(f, today)]


def test_certified_counts_those_completed_by_the_day_and_not_run_out(app, certificates):
    with app.app_context():
        assert certified(Filters(as_of=ON)) == [("onboarding", 2), ("first-contact", 1),
                                                ("queues", 1)]
        # The day after, Cat's has run out and Mia's has begun.
        assert certified(Filters(as_of=ON + timedelta(days=1))) == [
            ("onboarding", 3), ("first-contact", 1), ("queues", 0)]


def test_certified_is_counted_on_today_unless_another_day_is_given(app, certificates):
    with app.app_context():
        assert certified(Filters(), today=ON) == certified(Filters(as_of=ON))
        assert certified(Filters(as_of=ON), today=date(2030, 1, 1)) == \
            certified(Filters(as_of=ON))


def test_certified_narrows_to_a_team_a_department_and_a_module(app, certificates):
    with app.app_context():
        team_x = Filters(team_id=certificates.teams["x"], as_of=ON)
        assert certified(team_x) == [("onboarding", 0), ("first-contact", 1), ("queues", 0)]
        support = Filters(department_id=certificates.departments["support"], as_of=ON)
        assert certified(support) == [("onboarding", 0), ("first-contact", 0), ("queues", 1)]
        assert certified(Filters(module_id="onboarding", as_of=ON)) == [("onboarding", 2)]
        headers, rows = reports.table("certified", Filters(as_of=ON), TODAY)
        assert headers == reports.CERTIFIED_HEADERS
        on = ON.isoformat()  # the day counted is in the file too
        assert list(rows) == [("Onboarding for tests", 2, on), ("First contact", 1, on),
                              ("Queues", 1, on)]
