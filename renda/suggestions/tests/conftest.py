from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def temp_media(settings: Any, tmp_path: Path) -> Path:
    """Uploads in these tests go to a temporary directory, never to ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("答复件.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
