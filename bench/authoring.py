"""The author's branch map of the generated 2,000-situation scenario: laid out, and its map
page rendered by the app's own view code (SQLite, traffic counted), timed; the goal is under
2 s.

The generated scenario has routes the validator reports as never taken (its trust conditions
cannot hold early in the story), so the app would not serve it to learners; the page is
rendered for it directly, inside a request, as the map view renders any version.
"""
from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.scenarios import layers_for, scenario_text

WIDTH = 50  # as the engine benchmark's scenario


def run(nodes: int, principles_dir: Path, repeat: int = 5) -> dict:
    from flask_login import login_user

    from trainer import branchmap, create_app
    from trainer.engine import parse_scenario
    from trainer.extensions import db
    from trainer.models import ADMIN
    from trainer.store import org
    from trainer.views import author

    work = Path(tempfile.mkdtemp(prefix="bench-map-"))
    try:
        source = scenario_text("generated-large", layers_for(nodes, WIDTH), WIDTH, seed=11)
        scenario, _ = parse_scenario(source, "generated-large.md")
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'map.db'}",
                          "SCENARIOS_DIR": str(principles_dir), "SECRET_KEY": "bench",
                          "RATELIMIT_ENABLED": False})
        layouts, pages, size = [], [], 0
        with app.app_context():
            person = org.create_user("Bench Author", "author@bench.example", {ADMIN})
            for _ in range(repeat):
                began = time.perf_counter()
                drawn = branchmap.draw(scenario)
                layouts.append(time.perf_counter() - began)
            for _ in range(repeat):
                with app.test_request_context("/scenarios/generated-large/map"):
                    login_user(person)
                    began = time.perf_counter()
                    page = author._map_page(scenario, None)
                    pages.append(time.perf_counter() - began)
                    size = len(page.encode())
            db.engine.dispose()
        return {"situations": len(scenario.nodes), "arrows": len(drawn.arrows),
                "rows": drawn.rows, "layout_median_s": round(statistics.median(layouts), 3),
                "page_median_s": round(statistics.median(pages), 3),
                "page_max_s": round(max(pages), 3), "page_bytes": size,
                "map_px": [round(drawn.width), round(drawn.height)]}
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    import json

    print(json.dumps(run(2000, Path(__file__).resolve().parent.parent / "scenarios"),
                     indent=2))
