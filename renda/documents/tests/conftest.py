from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    # Uploaded documents land in a throw-away folder, not the developer's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
