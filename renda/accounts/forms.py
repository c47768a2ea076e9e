from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from renda.core.forms import BootstrapForm, BootstrapMixin
from renda.core.models import Organization
from renda.core.roles import ADMIN_ROLES, Role

from .backends import canonical_login_name
from .models import User


def lockout_minutes(request: HttpRequest | None = None) -> int:
    """The lock-out's length: for this log-in `request` (it grows with repeated lock-outs of
    the name from its address), or the first lock-out's without one."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds() // 60) if cool_off is not None else 0


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {
            "invalid_login": (
                f"账号或密码不正确。连续失败 {settings.AXES_FAILURE_LIMIT} 次，账号将被锁定 "
                f"{lockout_minutes()} 分钟。"
            ),
            "inactive": "该账号已停用，请联系系统管理员。",
        }
        self.fields["username"].label = "账号或手机号"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "class": "form-control form-control-lg"}
        )
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs.update({"class": "form-control form-control-lg"})

    def clean(self) -> dict[str, Any]:
        # Authenticate (and count failures, django-axes) under one name per account, whether
        # the user typed the username or the mobile number: otherwise each would get its own
        # five attempts, and the mobile number would be written into the lock-out records.
        raw = self.cleaned_data.get("username")
        if raw:
            self.cleaned_data["username"] = canonical_login_name(raw)
        try:
            return super().clean() or self.cleaned_data
        except ValidationError as error:
            if error.code == "invalid_login" and self._inactive_with_right_password():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from error
            raise

    def _inactive_with_right_password(self) -> bool:
        """Say "deactivated" only to someone who knows the password, so that the message does
        not tell a stranger which accounts exist."""
        user = User.objects.filter(
            username=self.cleaned_data.get("username"), is_active=False
        ).first()
        password = self.cleaned_data.get("password")
        return bool(user is not None and password and user.check_password(password))


class ChangePasswordForm(BootstrapMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new = data.get("new_password1")
        if new and "new_password1" not in self.errors and self.user.check_password(new):
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6 位动态验证码",
        min_length=6,
        max_length=6,
        error_messages={
            "required": "请输入验证码。",
            "min_length": "验证码应为 6 位数字。",
            "max_length": "验证码应为 6 位数字。",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "class": "form-control form-control-lg",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("验证码应为 6 位数字。")
        return token


# A backup code from django-otp's StaticToken.random_token(): 8 base32 characters.
_BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")


class VerifyForm(forms.Form):
    token = forms.CharField(
        label="6 位动态验证码",
        max_length=20,
        error_messages={"required": "请输入验证码。"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "class": "form-control form-control-lg",
                "autofocus": True,
                "autocapitalize": "off",
            }
        ),
        help_text="手机验证器中的 6 位数字；手机丢失时可输入一个 8 位备用验证码（每个只能用一次）。",
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "").lower()
        if not (re.fullmatch(r"[0-9]{6}", token) or _BACKUP_CODE.match(token)):
            raise forms.ValidationError("请输入 6 位数字动态验证码，或 8 位备用验证码。")
        return token


# --- the system administrator's account pages ---------------------------------------------

ORDINARY_ROLE_CHOICES = [
    (value, label) for value, label in Role.choices if value not in ADMIN_ROLES
]


class UserFilterForm(BootstrapForm):
    q = forms.CharField(label="姓名、账号或手机号", required=False)
    # A searched mobile number travels as its blind-index token (selectors.mobile_search_token).
    mi = forms.CharField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label="角色", required=False, choices=[("", "全部角色"), *Role.choices]
    )
    active = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "停用")]
    )


class UserForm(BootstrapForm):
    username = forms.CharField(
        label="账号",
        max_length=150,
        help_text="登录用的账号：字母、数字和 @ . + - _，建立后不能修改。",
    )
    name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=ORDINARY_ROLE_CHOICES)
    organization = forms.ModelChoiceField(
        label="所在单位",
        required=False,
        queryset=Organization.objects.none(),
        empty_label="（无）",
    )
    mobile = forms.CharField(
        label="手机号", required=False, max_length=11, help_text="可用手机号登录。"
    )
    email = forms.EmailField(label="电子邮箱", required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = Organization.objects.filter(is_active=True).order_by("kind", "code")

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {
            "name": user.name,
            "role": user.role,
            "organization": user.organization_id,
            "mobile": user.mobile,
            "email": user.email,
        }


class UnlockForm(forms.Form):
    username = forms.CharField(label="账号", max_length=255)


class SearchForm(BootstrapForm):
    q = forms.CharField(label="姓名、账号或手机号", required=False)
    mi = forms.CharField(required=False, widget=forms.HiddenInput)


class SmsLoginForm(BootstrapForm):
    """The mobile number, and the code once it has arrived (accounts.services.sms_login)."""

    mobile = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "numeric", "class": "form-control-lg"}
        ),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "form-control-lg",
            }
        ),
    )
