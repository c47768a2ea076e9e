from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。连续失败 5 次，账号将被锁定 30 分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号或手机号"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "class": "form-control form-control-lg"})
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs.update({"class": "form-control form-control-lg"})


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6 位动态验证码", min_length=6, max_length=6,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}",
            "class": "form-control form-control-lg", "autofocus": True,
        }),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("验证码应为 6 位数字。")
        return token
