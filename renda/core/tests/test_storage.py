"""The uploads' storage on a full disk: no partial file, a Chinese ValidationError."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from renda.core.storage import DISK_FULL_MESSAGE, UploadStorage


class FillsTheDisk(ContentFile):
    """Writes one chunk, then the disk is full."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"%PDF-1.4 first chunk"
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_leaves_no_partial_file_and_says_so(tmp_path: Path) -> None:
    storage = UploadStorage(location=tmp_path)
    with pytest.raises(ValidationError) as raised:
        storage.save("docs/材料.pdf", FillsTheDisk(b"x" * 4096, name="材料.pdf"))
    assert raised.value.messages == [DISK_FULL_MESSAGE]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # Space again: the same name is stored whole.
    name = storage.save("docs/材料.pdf", ContentFile(b"%PDF-1.4 whole", name="材料.pdf"))
    assert (tmp_path / name).read_bytes() == b"%PDF-1.4 whole"


def test_other_errors_are_not_taken_for_a_full_disk(tmp_path: Path) -> None:
    class Broken(ContentFile):
        def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
            raise OSError(errno.EIO, "I/O error")
            yield b""

    with pytest.raises(OSError) as raised:
        UploadStorage(location=tmp_path).save("a.pdf", Broken(b"x", name="a.pdf"))
    assert not isinstance(raised.value, ValidationError)
