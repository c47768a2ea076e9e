"""Every audit event the product writes has a Chinese name (core/event_labels.py)."""

import re
from pathlib import Path

from renda.core.event_labels import LABELS, actions_matching, event_label, readable_details

ROOT = Path(__file__).resolve().parents[2]
ACTION = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')


def _written_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found.update(ACTION.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_event_the_code_writes_has_a_label():
    written = _written_actions()
    assert len(written) > 100
    assert sorted(written - set(LABELS)) == []


def test_labels_read_as_chinese():
    assert event_label("auth.permission_denied") == "越权访问被拒绝"
    assert event_label("station.something_new") == "联络站：something_new"
    assert "auth.login" in actions_matching("登录") and "auth.logout" in actions_matching("登录")
    assert readable_details({"path": "/x/", "sms": True, "filters": {"q": "张"}}) == (
        "路径：/x/；短信：是；筛选条件：q=张"
    )
