"""The `trainer` command: validate content, set up the database, run the app."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from trainer.config import scenarios_dir
from trainer.engine import load_library
from trainer.engine.report import SEEDS, figures


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
    ok = len(library.scenarios)
    click.echo(f"{ok} scenario(s) valid, {len(library.broken)} with problems, "
               f"{len(library.problems)} problem(s) in all, "
               f"{len(library.principles)} principle(s) in the catalogue.", err=True)
    sys.exit(1 if library.problems else 0)


@main.command("content-report", with_appcontext=False)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def content_report_command(folder: Path | None) -> None:
    """Per scenario: nodes, decisions, endings, principles, best score, best-answer positions."""
    library = load_library(folder or scenarios_dir())
    for scenario in sorted(library.scenarios.values(), key=lambda s: s.id):
        f = figures(scenario)
        endings = ", ".join(f"{count} {kind}" for kind, count in sorted(f.endings.items()))
        spread = " ".join(f"{pos}:{times}" for pos, times in f.best_positions.items())
        click.echo(f"{f.scenario_id}\n  nodes {f.nodes}, decisions {f.decisions}, "
                   f"endings {endings}, fewest decisions on a path {f.shortest_path}\n"
                   f"  best score {f.best_points} points; principles ({len(f.principles)}): "
                   f"{', '.join(f.principles)}\n"
                   f"  shown position of the best option (position:times over {SEEDS} "
                   f"simulated attempts): {spread}")
    covered = set().union(*(s.principles_touched for s in library.scenarios.values()))
    missing = sorted(set(library.principles) - covered)
    click.echo(f"principles not exercised by any scenario: {', '.join(missing) or 'none'}")
    for file in library.broken:
        click.echo(f"{file}: not counted, it has problems (run trainer validate)")


if __name__ == "__main__":
    main()
