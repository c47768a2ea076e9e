"""Each administrator's page of tools: only their own (三员 separation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from renda.core.roles import Role, role_required

from ..permissions import acting_user


@dataclass(frozen=True)
class Tool:
    title: str
    summary: str
    url_name: str
    icon: str


TOOLS: dict[str, tuple[Tool, ...]] = {
    Role.SYSTEM_ADMIN: (
        Tool(
            "用户管理",
            "查询、新建、修改、停用账号，重置口令。管理员账号不在此管理。",
            "accounts:user_list",
            "bi-people",
        ),
        Tool(
            "新建账号",
            "为工作人员、代表、承办单位等申请开通账号，经安全管理员审批后初始口令以短信发给本人。",
            "accounts:user_create",
            "bi-person-plus",
        ),
        Tool(
            "工作日历",
            "录入下一年度国务院公布的节假日和调休上班日，办理期限据此按工作日计算。",
            "core:calendar",
            "bi-calendar3",
        ),
    ),
    Role.SECURITY_ADMIN: (
        Tool(
            "账号审批",
            "审批系统管理员提交的开通、重新启用账号和变更角色、手机号的申请。",
            "accounts:request_list",
            "bi-person-check",
        ),
        Tool(
            "登录锁定", "查看登录失败和被锁定的账号，提前解锁。", "accounts:lockout_list", "bi-lock"
        ),
        Tool(
            "双因素认证",
            "查看账号是否绑定手机验证器，为丢失手机的用户重置。",
            "accounts:two_factor_list",
            "bi-phone",
        ),
        Tool(
            "职责分配",
            "按处室、专门委员会分配各模块的办理职责（最小权限），必要时为个人单独授权。",
            "accounts:duties",
            "bi-diagram-3",
        ),
        Tool(
            "安全策略",
            "当前生效的口令、锁定、会话和双因素认证设置。",
            "accounts:security_settings",
            "bi-shield-check",
        ),
        Tool(
            "数据接口令牌",
            "为财政、税务等数据报送系统签发和吊销推送接口令牌。",
            "budget:tokens",
            "bi-key",
        ),
    ),
    Role.AUDIT_ADMIN: (
        Tool(
            "审计日志",
            "查询、导出所有用户的操作和安全事件，校验日志链是否完整。",
            "core:audit_log",
            "bi-journal-text",
        ),
    ),
}


@role_required(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    tools = [
        {"title": t.title, "summary": t.summary, "url": reverse(t.url_name), "icon": t.icon}
        for t in TOOLS[acting_user(request).role]
    ]
    return render(request, "accounts/admin/home.html", {"tools": tools})
