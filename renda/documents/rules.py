"""The rules of 知情知政 as data: the kinds of document, who a document goes to, when it is
released, and what may be uploaded."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    # Meeting documents (会议文件), attached to an agenda item.
    REPORT = "report", "报告"
    DRAFT = "draft", "草案"
    EXPLANATION = "explanation", "说明"
    # The year's library (年度文件库).
    GOVERNMENT_WORK = "government_work", "政府工作报告"
    BUDGET = "budget", "预算报告"
    FINAL_ACCOUNTS = "final_accounts", "决算报告"
    AUDIT = "audit", "审计工作报告"
    PLAN = "plan", "计划报告"
    SC_NOTICE = "sc_notice", "常委会通知"
    OTHER = "other", "其他"


MEETING_KINDS = (Kind.REPORT, Kind.DRAFT, Kind.EXPLANATION, Kind.OTHER)


class Audience(models.TextChoices):
    """Who a document is released to (its release list)."""

    MEETING = "meeting", "会议组成人员"  # the members (出席 and 列席) of the item's meeting
    ALL_DEPUTIES = "all_deputies", "全体代表"
    SC_MEMBERS = "sc_members", "常委会组成人员"
    CHOSEN = "chosen", "指定代表"


class ReleaseMode(models.TextChoices):
    NOW = "now", "立即发布"
    AT_TIME = "at_time", "定时发布"
    AT_MEETING = "at_meeting", "会议开始时发布"


class State(models.TextChoices):
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


# What the reader can preview in the browser: PDF (pdf.js) and Word 2007+ (mammoth). A legacy
# .doc cannot be previewed without office software, so it is refused with a reason.
FILE_TYPES = frozenset({"pdf", "docx"})
MAX_FILE_MB = 50
# Extracted text kept for search; a 300-page report stays well under this.
MAX_TEXT_CHARS = 500_000
