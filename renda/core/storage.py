"""The uploads' storage: Django's FileSystemStorage, except when the disk is full.

Django's storage leaves the half-written file behind when a write fails (no space left, quota
exceeded) and the user sees a server error. Here the partial file is removed and a Chinese
ValidationError is raised instead: the services' transaction rolls back (no row points at a
missing file) and every view that shows a service's ValidationError shows this message
(e2e/test_faults.py, the full uploads filesystem).
"""

from __future__ import annotations

import errno
import logging
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
DISK_FULL_MESSAGE = "服务器存储空间已满，文件未保存。请稍后重试，或联系系统管理员。"


class UploadStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        existed = os.path.lexists(full_path)  # save() chose a free name: normally False
        try:
            return str(super()._save(name, content))  # type: ignore[misc]
        except OSError as error:
            if error.errno not in DISK_FULL:
                raise
            # The file at this name was created by this call (O_EXCL) unless it existed
            # before; a whole file of the upload's size is not a partial one.
            size = getattr(content, "size", None)
            partial = not existed and os.path.isfile(full_path)
            if partial and (size is None or os.path.getsize(full_path) < size):
                os.remove(full_path)
            logger.error("upload %s not stored: %s", name, error)
            raise ValidationError(DISK_FULL_MESSAGE, code="disk_full") from error
