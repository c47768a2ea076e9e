from __future__ import annotations

import string
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from .models import User


class ComplexityValidator:
    """等保 身份鉴别 a: at least `min_length` characters from at least `min_classes` of the four
    classes (upper case, lower case, digits, symbols)."""

    def __init__(self, min_length: int = 8, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码至少需要 {self.min_length} 个字符。", code="password_too_short"
            )
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return (
            f"至少 {self.min_length} 个字符，包含大写字母、小写字母、数字、符号中的至少 "
            f"{self.min_classes} 类。"
        )
