"""The application as `zedline serve` runs it: built from the environment, collector tuned."""

from __future__ import annotations

import os
import subprocess
import sys

from zedline_web.app import GC_YOUNG_THRESHOLD

PROBE = """
import gc
from zedline_web.app import serve_app
app = serve_app()
print(type(app).__name__, gc.get_threshold()[0], gc.get_freeze_count() > 0)
"""


def test_serve_app_builds_the_app_and_tunes_the_collector(tmp_path):
    env = {
        **os.environ,
        "ZEDLINE_DATA_DIR": str(tmp_path),
        "ZEDLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'z.sqlite3'}",
    }
    # In a process of its own: freezing the collector's view would leak in the test process.
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["PortalHostApp", str(GC_YOUNG_THRESHOLD), "True"]
