"""A liveness check for load balancers and the benchmark: a short answer, no database."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def check():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
