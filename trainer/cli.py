"""The `trainer` command: validate content, set up the database, run the app."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from trainer import clock
from trainer.config import scenarios_dir
from trainer.engine import Library, load_library
from trainer.engine.calibrate import calibrate
from trainer.engine.report import SEEDS, coverage, coverage_shortfalls, figures, shortfalls
from trainer.engine.tells import tells


def _create_app():
    from trainer import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False)
def main() -> None:
    """The service trainer."""


@main.command("validate", with_appcontext=False)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def validate_command(folder: Path | None) -> None:
    """Check every scenario file; print each problem as file:line and exit 1 on any."""
    folder = folder or scenarios_dir()
    if not folder.is_dir():
        click.echo(f"{folder}: no such folder", err=True)
        sys.exit(2)
    library = load_library(folder)
    for problem in library.problems:
        click.echo(str(problem))
    warnings = _calibration_warnings(library)
    for warning in warnings:
        click.echo(warning)
    ok = len(library.scenarios)
    click.echo(f"{ok} scenario(s) valid, {len(library.broken)} with problems, "
               f"{len(library.problems)} problem(s) in all, {len(warnings)} calibration "
               f"warning(s), {len(library.principles)} principle(s) in the catalogue.", err=True)
    sys.exit(1 if library.problems else 0)


def _calibration_warnings(library: Library) -> list[str]:
    """Scenarios whose pass mark lets guessers pass or fails honest slips (not errors)."""
    found = []
    for scenario in sorted(library.scenarios.values(), key=lambda s: s.id):
        for warning in calibrate(scenario, library.pass_mark(scenario.id)).warnings():
            found.append(f"{scenario.file}:1: warning: {warning}")
    return found


@main.command("content-report", with_appcontext=False)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Only the calibration figures: a JSON list, one object per scenario.")
def content_report_command(folder: Path | None, as_json: bool) -> None:
    """Per scenario: nodes, decisions, endings, principles, calibration, best-answer
    positions; then how every principle is covered and what each module holds."""
    library = load_library(folder or scenarios_dir())
    scenarios = sorted(library.scenarios.values(), key=lambda s: s.id)
    calibrations = {s.id: calibrate(s, library.pass_mark(s.id)) for s in scenarios}
    if as_json:
        click.echo(json.dumps([calibrations[s.id].as_dict() for s in scenarios], indent=2))
        return
    short = []
    for scenario in scenarios:
        f, c = figures(scenario), calibrations[scenario.id]
        short += [f"{scenario.id}: {warning}" for warning in c.warnings()]
        short += [f"{scenario.id}: {gap}" for gap in shortfalls(scenario, f)]
        endings = ", ".join(f"{count} {kind}" for kind, count in sorted(f.endings.items()))
        spread = " ".join(f"{pos}:{times}" for pos, times in f.best_positions.items())
        click.echo(f"{f.scenario_id}\n  nodes {f.nodes}, decisions {f.decisions}, "
                   f"endings {endings}, fewest decisions on a path {f.shortest_path}\n"
                   f"  principles ({len(f.principles)}): {', '.join(f.principles)}\n"
                   f"  pass mark {c.pass_mark}%: random play-throughs pass "
                   f"{c.random_pass_rate}%, one slip passes {c.one_slip_pass_rate}%, "
                   f"{c.good_but_failed_paths} of {c.paths} paths end well yet fail; "
                   f"the best option every time ends {c.best_every_time_ending}\n"
                   f"  shown position of the best option (position:times over {SEEDS} "
                   f"simulated attempts): {spread}")
    click.echo("\nprinciple: scenarios honouring (+) / violating (-) / both")
    rows = coverage(list(library.scenarios.values()), list(library.principles))
    short += coverage_shortfalls(rows)
    for row in rows:
        click.echo(f"  {row.principle_id}: +{len(row.honoured_in)} -{len(row.violated_in)} "
                   f"both {len(row.both)} ({', '.join(row.both)})")
    click.echo("\nmodules:")
    for module in library.modules.values():
        marks = ", ".join(f"{sid} {module.pass_mark_for(sid)}%" for sid in module.scenarios)
        click.echo(f"  {module.id}: {marks} (feedback {module.feedback}, about "
                   f"{module.minutes} min)")
    found = tells(scenarios, library.pass_mark)
    figures_of = found.as_dict()
    click.echo("\ntells (over all decisions; what gives the best option away to a guesser):\n"
               f"  best option the longest: {figures_of['longest_best']}% of "
               f"{figures_of['decisions']} decisions\n"
               f"  a name in best options {figures_of['name_in_best']}%, in others "
               f"{figures_of['name_in_others']}%; an apology in best "
               f"{figures_of['apology_in_best']}%, in others {figures_of['apology_in_others']}%\n"
               f"  handing the customer on is best at {figures_of['handoff_best']} "
               f"({figures_of['handoff_in_best']}% of best options, "
               f"{figures_of['handoff_in_others']}% of others): "
               f"{', '.join(found.handoff_best) or 'none'}\n"
               f"  decisions with two options above zero: {figures_of['two_good']}%\n"
               f"  a guesser taking the name, else the apology, else the longest passes "
               f"{figures_of['guesser_passes']} of {figures_of['scenarios']}: "
               f"{', '.join(found.guessed) or 'none'}")
    short += [f"tells: {miss}" for miss in found.misses()]
    for file in library.broken:
        click.echo(f"{file}: not counted, it has problems (run trainer validate)")
    click.echo("\nminimums: " + ("every minimum met" if not short and not library.broken
                                  else "NOT met:\n  " + "\n  ".join(short)))


@main.command("demo")
def demo_command() -> None:
    """Load the demo organisation into an empty database (skipped when anyone exists)."""
    from trainer.store import demo

    if not demo.is_empty():
        click.echo("The database already has people; the demo data was not loaded.")
        return
    made = demo.load(clock.today())
    click.echo(f"Demo loaded: {made['people']} people in {made['teams']} teams, "
               f"{made['attempts']} attempts. Sign in with one of these (password "
               f"'{demo.PASSWORD}'): " + ", ".join(email for email, _, _ in demo.ACCOUNTS))


@main.command("import-staff")
@click.argument("csv_file", type=click.File("rb"))
@click.option("--commit", is_flag=True, help="Write the changes (without it: preview only).")
@click.option("--onboarding/--no-onboarding", default=True,
              help="Give people created by this import the onboarding module.")
def import_staff_command(csv_file, commit: bool, onboarding: bool) -> None:
    """Import staff from an HR system's CSV; every bad row is reported by line number."""
    from trainer.store import staff_import

    plan = staff_import.read_file(csv_file.read())
    for error in plan.errors:
        click.echo(f"{csv_file.name}:{error.line}: {error.message}", err=True)
    if not plan.ok:
        click.echo(f"Nothing was written: {len(plan.errors)} problem(s).", err=True)
        sys.exit(1)
    for row in plan.rows:
        if row.action != "unchanged":
            click.echo(f"line {row.line}: {row.action} {row.email}"
                       + (f" ({'; '.join(row.changes)})" if row.changes else ""))
    summary = (f"{plan.count('create')} to create, {plan.count('update')} to update, "
               f"{plan.count('unchanged')} unchanged")
    if not commit:
        click.echo(f"Preview: {summary}. Run again with --commit to write.")
        return
    done = staff_import.apply(plan, onboarding, clock.today())
    click.echo(f"Imported: {done.created} created, {done.updated} updated, "
               f"{done.unchanged} unchanged; {done.onboarded} given onboarding.")


@main.command("send-reminders")
@click.option("--today", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Act as if it were this date (YYYY-MM-DD); default: today.")
def send_reminders_command(day) -> None:
    """Send the due-date reminders and managers' digests owed today, retrying any a mail
    server did not take before; never one twice. For cron or a systemd timer (README)."""
    from trainer import daily, mail, reminders
    from trainer.pages import counted

    today = day.date() if day else clock.today()
    try:
        reminders.settings()
    except LookupError as why:
        opened = daily.open_renewals(today)
        click.echo(f"Mail is off ({why}): no reminder made or sent; "
                   f"{counted(opened, 'renewal')} opened.")
        return
    except mail.MailSettingError as why:
        click.echo(f"Mail settings: {why}", err=True)
        sys.exit(2)
    summary = reminders.run(today)
    for line in summary.lines():
        click.echo(line)
    sys.exit(1 if summary.failed else 0)


@main.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator")
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Make a first administrator account (or give an existing person the admin role)."""
    from trainer.store import org

    problem = org.password_problem(password)
    if problem:
        raise click.BadParameter(problem)
    user = org.make_admin(email, name, password)
    click.echo(f"{user.email} is an administrator.")


@main.command("db-upgrade")
def db_upgrade_command() -> None:
    """Bring the database to the newest schema revision (the app also does this at start)."""
    from trainer import schema
    from trainer.extensions import db

    click.echo(f"The database is at revision {schema.upgrade(db.engine)} (head).")


@main.command("db-revision")
@click.option("-m", "--message", required=True, help="What changed, in a few words.")
@click.option("--empty", is_flag=True, help="Write a blank revision, e.g. for moving data.")
def db_revision_command(message: str, empty: bool) -> None:
    """For developers: write a migration in trainer/migrations/versions/ for what changed in
    trainer/models.py, compared with the (upgraded) database. Read and adjust it before use."""
    from trainer import schema
    from trainer.extensions import db

    if schema.new_revision(db.engine, message, empty) is None:
        click.echo("The models and the database already match: no revision written.")


if __name__ == "__main__":
    main()
