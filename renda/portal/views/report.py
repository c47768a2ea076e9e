"""年度工作报告数据 (issue 15, item 7): for a chosen year, the figures the standing committee's
work report quotes, in one printable page and a Word file. Every figure is counted from rows by
a selector of the app that owns them, and names (and links to) the list it comes from, so that
staff can check it before the report goes out. The portal sits above every app, so it is the
one place that may read them all.

Sections still to come say so instead of showing invented figures: the exam and livelihood
modules, which do not exist yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from renda.accounts.permissions import AuthenticatedRequest
from renda.budget.selectors import dashboards
from renda.core.models import Organization
from renda.core.params import MIN_YEAR, year_param
from renda.core.roles import CONGRESS_ROLES, role_required
from renda.deputies.documents import (
    add_title,
    cn_date,
    document_bytes,
    docx_response,
    new_document,
)
from renda.deputies.selectors import deputies_in_office
from renda.meetings import selectors as meetings
from renda.meetings.rules import Kind as MeetingKind
from renda.stations.selectors import county_figures, station_counts
from renda.suggestions.models import Satisfaction
from renda.suggestions.selectors import year_summary

YEARS_SHOWN = 10  # the year picker offers this many years, the current one first
LEVEL_NAMES = ("提示", "警告", "严重")
PENDING_MODULES = "任前法律考试、重大民生实事票决的数据将在这两个模块建成后加入本报告。"


@dataclass(frozen=True)
class Figure:
    key: str  # stable name, also the page's data-figure attribute
    label: str
    value: int | str
    unit: str
    source: str  # the list the figure is counted from, in words
    url: str  # that list


@dataclass
class AlertTable:
    """Budget alerts by period month (rows) and level (columns), as the dashboard counts them."""

    region: str
    months: list[dict[str, Any]]  # month, cells [(count, url)], total
    totals: list[int]
    total: int

    def lines(self) -> list[str]:
        """The report's wording, month by month: "4月：4条提示、4条警告、6条严重"."""
        result = []
        for row in self.months:
            parts = [
                f"{n}条{name}" for (n, _), name in zip(row["cells"], LEVEL_NAMES, strict=True) if n
            ]
            if parts:
                result.append(f"{row['month']}月：" + "、".join(parts))
        return result


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    note: str = ""
    alerts: AlertTable | None = None


@dataclass
class Report:
    year: int
    as_of: dt.date
    issuer: str
    sections: list[Section]
    notes: list[str]

    def figure(self, key: str) -> Figure:
        return next(f for s in self.sections for f in s.figures if f.key == key)

    @property
    def alerts(self) -> AlertTable | None:
        return next((s.alerts for s in self.sections if s.alerts), None)


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _as_of(year: int, today: dt.date) -> dt.date:
    """The day the stock figures (deputies, stations) are counted on: the year's last day,
    or today for the current year."""
    return today if year == today.year else dt.date(year, 12, 31)


# --- the sections ------------------------------------------------------------------------------


def _deputies_section(year: int, as_of: dt.date) -> Section:
    deputies = deputies_in_office(as_of)
    stations = station_counts()
    cube = county_figures(year)
    roll, where = "代表名册", _url("deputies:list")
    registry, station_list = "站点名册（在用）", _url("stations:list")
    stats = (f"代表工作站点统计（{year}年）", _url("stations:stats", f"year={year}"))
    on = f"（{cn_date(as_of)}在任）"
    return Section(
        "deputies",
        "一、代表和代表工作站点",
        [
            Figure("deputies_total", "在任人大代表", deputies["total"], "名", roll + on, where),
            Figure("deputies_city", "其中市人大代表", deputies["city"], "名", roll + on, where),
            Figure(
                "deputies_township", "乡镇人大代表", deputies["township"], "名", roll + on, where
            ),
            Figure(
                "stations_total", "代表工作站点", stations["total"], "个", registry, station_list
            ),
            Figure("stations", "其中代表联络站", stations["station"], "个", registry, station_list),
            Figure("points", "代表联络点", stations["point"], "个", registry, station_list),
            Figure("receptions", "接待群众", cube.receptions, "人次", *stats),
            Figure("duty_days", "代表进站履职", cube.duty_days, "人次", *stats),
            Figure("opinions", "收集社情民意", cube.opinions, "件", *stats),
            Figure(
                "solved",
                "解决问题（答复为A类，已答复或已办结）",
                cube.solved,
                "件",
                *stats,
            ),
        ],
    )


def _suggestions_section(year: int) -> Section:
    s = year_summary(year)
    stats = (f"建议办理统计（提出年度{year}年）", _url("suggestions:stats", f"year={year}"))
    figures = [
        Figure("received", "收到代表建议", s["received"], "件", *stats),
        Figure("answered", "已答复", s["answered"], "件", *stats),
        Figure("on_time", "按期答复", s["on_time"], "件", *stats),
        Figure("on_time_rate", "按期答复率", _pct(s["on_time"], s["answered"]), "", *stats),
    ]
    for c in "ABCD":
        figures.append(
            Figure(
                f"class_{c}",
                f"答复为{c}类",
                s[f"class_{c}"],
                "件",
                f"建议列表·答复类别{c}（列表不分年度，本数只计{year}年提出的）",
                _url("suggestions:home", f"reply_class={c}"),
            )
        )
    rated = sum(s[f"rating_{v}"] for v in Satisfaction.values)
    for value, label in Satisfaction.choices:
        figures.append(
            Figure(
                f"rating_{value}",
                f"代表评价{label}",
                s[f"rating_{value}"],
                "件",
                f"建议列表·满意度{label}（列表不分年度，本数只计{year}年提出的）",
                _url("suggestions:home", f"satisfaction={value}"),
            )
        )
    good = s[f"rating_{Satisfaction.SATISFIED}"] + s[f"rating_{Satisfaction.BASIC}"]
    figures.append(Figure("satisfaction_rate", "满意和基本满意率", _pct(good, rated), "", *stats))
    return Section("suggestions", "二、代表建议办理", figures)


def _meetings_section(year: int) -> Section:
    """Meetings held (closed) in the year by kind, and the attendance of the members who had
    to attend them; counted by meetings' year_summary."""
    m = meetings.year_summary(year)
    src = ("会议列表（已闭会）", _url("meetings:list", "state=closed"))
    figures = [Figure("meetings_held", "召开会议", m["held"], "次", *src)]
    figures += [
        Figure(f"meetings_{kind.value}", kind.label, m[f"held_{kind.value}"], "次", *src)
        for kind in MeetingKind
    ]
    figures += [
        Figure("meeting_seats", "应出席人次", m["seats"], "人次", *src),
        Figure("meeting_present", "出席人次", m["present"], "人次", *src),
        Figure("meeting_leave", "请假人次", m["leave"], "人次", *src),
        Figure("meeting_absent", "缺席人次", m["absent"], "人次", *src),
        Figure("meeting_rate", "出席率", _pct(m["present"], m["seats"]), "", *src),
    ]
    return Section("meetings", "三、会议", figures)


def _budget_section(year: int) -> Section:
    region = dashboards.default_region(year)
    title = "四、预算联网监督"
    if region is None:
        return Section("budget", title, note=f"{year}年没有导入预算数据，本部分暂无数据。")
    found = dashboards.alerts(region, year, timezone.localdate())
    levels = [lv["level"] for lv in found["levels"]]
    months = []
    for row in found["by_month"]:
        query = f"year={year}&month={row['month']}&level="
        months.append(
            {
                "month": row["month"],
                "cells": [
                    (n, _url("budget:alerts", f"{query}{lv}"))
                    for n, lv in zip(row["counts"], levels, strict=True)
                ],
                "total": row["total"],
            }
        )
    table = AlertTable(
        region=region.name,
        months=months,
        totals=[sum(m["cells"][i][0] for m in months) for i in range(len(levels))],
        total=sum(m["total"] for m in months),
    )
    letters = dashboards.inquiries(region, year)
    src = ("问询函列表", _url("budget:inquiries"))
    closed_src = ("问询函列表·已办结", _url("budget:inquiries", "state=closed"))
    figures = [
        Figure("alerts_total", "发出预警", table.total, "条", *_alerts_list(year)),
        Figure("inquiries_total", "发出问询函", letters["total"], "件", *src),
        Figure("inquiries_closed", "问询函已办结", letters["closed"], "件", *closed_src),
        Figure("inquiries_open", "问询函办理中", letters["total"] - letters["closed"], "件", *src),
        Figure("inquiries_overdue", "问询函逾期未答复", letters["overdue"], "件", *src),
        Figure(
            "inquiries_closed_rate",
            "问询函办结率",
            _pct(letters["closed"], letters["total"]),
            "",
            *src,
        ),
    ]
    return Section("budget", title, figures, alerts=table)


def _alerts_list(year: int) -> tuple[str, str]:
    return f"预警列表（{year}年度）", _url("budget:alerts", f"year={year}")


def _issuer() -> str:
    name = (
        Organization.objects.filter(kind=Organization.Kind.STANDING_COMMITTEE)
        .order_by("id")
        .values_list("name", flat=True)
        .first()
    )
    return name or "人大常委会"


def build_report(year: int, today: dt.date | None = None) -> Report:
    today = today or timezone.localdate()
    as_of = _as_of(year, today)
    return Report(
        year=year,
        as_of=as_of,
        issuer=_issuer(),
        sections=[
            _deputies_section(year, as_of),
            _suggestions_section(year),
            _meetings_section(year),
            _budget_section(year),
        ],
        notes=[PENDING_MODULES],
    )


# --- the views ---------------------------------------------------------------------------------


def _year(request: AuthenticatedRequest) -> tuple[int, str]:
    """The asked year, or the current one with a message when the asked one is not valid
    (not a year, or one still to come)."""
    current = timezone.localdate().year
    raw = request.GET.get("year")
    year = year_param(request.GET)
    if raw is None or raw == "":
        return current, ""
    if year is None or year > current:
        return current, f"年度“{raw[:10]}”无效（应为{MIN_YEAR}至{current}年），已显示{current}年。"
    return year, ""


@role_required(*CONGRESS_ROLES)
def annual_report(request: AuthenticatedRequest) -> HttpResponse:
    year, problem = _year(request)
    current = timezone.localdate().year
    return render(
        request,
        "portal/annual_report.html",
        {
            "report": build_report(year),
            "problem": problem,
            "years": list(range(current, current - YEARS_SHOWN, -1)),
            "level_names": LEVEL_NAMES,
        },
    )


@role_required(*CONGRESS_ROLES)
def annual_report_docx(request: AuthenticatedRequest) -> HttpResponse:
    year, problem = _year(request)
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    report = build_report(year)
    return docx_response(report_docx(report), f"{year}年度工作报告数据.docx")


# --- the Word file -----------------------------------------------------------------------------


def _heading(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28)
    run = p.add_run(text)
    run.font.name = "SimHei"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")


def _table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(12)  # 小四 in tables, so that a row fits the width


def _alerts_docx(doc: Any, table: AlertTable) -> None:
    doc.add_paragraph(f"预警按期间月份和级别（{table.region}）：")
    rows = [
        [f"{m['month']}月", *(str(n) for n, _ in m["cells"]), str(m["total"])] for m in table.months
    ]
    rows.append(["合计", *(str(n) for n in table.totals), str(table.total)])
    _table(doc, ["月份", *LEVEL_NAMES, "合计"], rows)
    for line in table.lines():
        doc.add_paragraph(line).paragraph_format.first_line_indent = Pt(32)


def report_docx(report: Report) -> bytes:
    """The report in the layout of an official paper (GB/T 9704, as the inquiry letter): A4,
    the same margins, 仿宋 三号 text, a centred title, the issuer and the date at the right."""
    doc = new_document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    add_title(doc, f"{report.year}年度工作报告数据")
    doc.add_paragraph(f"（统计截至{cn_date(report.as_of)}）").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in report.sections:
        _heading(doc, part.title)
        if part.note:
            doc.add_paragraph(part.note).paragraph_format.first_line_indent = Pt(32)
        if part.figures:
            _table(
                doc,
                ["项目", "数量", "来源"],
                [[f.label, f"{f.value}{f.unit}", f.source] for f in part.figures],
            )
        if part.alerts:
            _alerts_docx(doc, part.alerts)
    _heading(doc, "五、其他")
    for note in report.notes:
        doc.add_paragraph(note).paragraph_format.first_line_indent = Pt(32)
    doc.add_paragraph()
    for text in (report.issuer, cn_date(timezone.localdate())):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return document_bytes(doc)
