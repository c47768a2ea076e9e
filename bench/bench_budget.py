"""`bench/run.py` entry for the budget ingest benchmark (bench/budget_ingest.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).with_name("budget_ingest.py")), run_name="__main__")
