"""The kinds of text message the system sends, each with its template.

A provider sends only templates approved beforehand in its console (短信正文模板), with the
signature (短信签名) added by the provider: a kind names its parameters in the template's order,
and the provider's template id comes from settings.SMS_TEMPLATES[kind] (SMS_TEMPLATE_<KIND>).
`text` is the same template as the one approved, used by the console backend and in the
documentation; `{name}` stands for the provider's `{1}`, `{2}` … in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    text: str
    params: tuple[str, ...]

    def render(self, params: Mapping[str, str]) -> str:
        return self.text.format_map({p: params.get(p, "") for p in self.params})

    def ordered(self, params: Mapping[str, str]) -> list[str]:
        """The parameters as the provider wants them: a list in the template's order."""
        return [str(params.get(p, "")) for p in self.params]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "login_code",
            "登录验证码",
            "您的登录验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。",
            ("code",),
        ),
        Kind("notice", "通知提醒", "{title}。请登录智慧人大查看。", ("title",)),
        # Free text from callers that compose their own message (credentials, a constituent's
        # progress note); a provider needs a template whose whole body is one variable.
        Kind("text", "自定义内容", "{text}", ("text",)),
    )
}
