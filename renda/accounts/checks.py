"""Start-up self-test: the password hasher needs SM3 from OpenSSL, which some builds (FIPS
mode, trimmed distributions) leave out. Without it no one could log in, so say so loudly at
start rather than at the first log in (docs/reference/deputies_security.md §3.4)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.checks import CheckMessage, Error, register

# GB/T 32905-2016 Appendix A, example 1: SM3("abc").
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@register("security")
def check_sm3_available(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        digest = hashlib.new("sm3", b"abc").hexdigest()
    except ValueError:
        digest = ""
    if digest != SM3_ABC:
        return [
            Error(
                "此服务器的 OpenSSL 不提供 SM3 杂凑算法，PBKDF2-SM3 口令无法校验。",
                hint="请安装带国密算法的 OpenSSL 3（非 FIPS 模式）后再启动。",
                id="accounts.E001",
            )
        ]
    return []
