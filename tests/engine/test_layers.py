"""The layers the README describes hold in the code: the engine stands alone."""
import subprocess
import sys

WEB_STACK = ("flask", "sqlalchemy", "alembic", "flask_sqlalchemy", "flask_login", "flask_wtf",
             "werkzeug", "jinja2", "markdown", "nh3", "psycopg")


def test_importing_the_engine_loads_no_web_or_database_module():
    probe = ("import sys, trainer.engine; "
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "trainer" in loaded and not loaded & set(WEB_STACK), loaded & set(WEB_STACK)


def test_the_validate_command_loads_no_database_module(tmp_path):
    probe = ("import sys, runpy; sys.argv = ['trainer', 'validate', 'scenarios']\n"
             "try:\n    runpy.run_module('trainer.cli', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    loaded = set(result.stderr.splitlines()[-1].split())
    assert not loaded & {"sqlalchemy", "alembic", "flask_sqlalchemy", "psycopg"}
