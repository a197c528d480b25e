"""A wheel built from pyproject carries templates, scenarios and static files, and runs."""
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT

SMOKE = """
import tempfile, trainer
from trainer import create_app
from trainer.config import resource_root
assert "site-packages" in str(resource_root()), resource_root()
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + tempfile.mkdtemp() + "/t.db",
                  "WTF_CSRF_ENABLED": False})
client = app.test_client()
assert client.get("/static/htmx.min.js").status_code == 200
assert client.get("/login").status_code == 200
with app.app_context():
    from trainer.extensions import db
    from trainer.store import org
    org.create_user("Ann", "ann@example.com", {"employee"}, password="a long password")
    db.session.commit()
client.post("/login", data={"email": "ann@example.com", "password": "a long password"})
page = client.get("/scenarios").get_data(as_text=True)
assert "The broken guitar" in page, page
attempt = client.post("/scenarios/broken-guitar/attempts").headers["Location"]
assert "What do you do?" in client.get(attempt).get_data(as_text=True)
print("wheel ok")
"""


@pytest.mark.slow
def test_wheel_installs_and_runs_without_the_source_tree(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("*.whl"))
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    result = subprocess.run([str(env_dir / "bin" / "trainer"), "validate"], cwd=elsewhere,
                            capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 with problems" in result.stderr
    result = subprocess.run([str(python), "-c", SMOKE], cwd=elsewhere, capture_output=True,
                            text=True, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert Path(wheel).stat().st_size > 0
