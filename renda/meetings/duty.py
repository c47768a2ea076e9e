"""What meetings adds to a deputy's duty pages (deputies.selectors.reports.contribute_panel,
registered in apps.py): the year's attendance, 出席 / 请假 / 缺席 and the rate, counted from the
closed meetings the deputy had to attend."""

from __future__ import annotations

from renda.deputies.models import Deputy
from renda.deputies.selectors.reports import DutyFigure, DutyPanel

from .selectors import attendance_rate


def attendance_panel(deputy: Deputy, year: int) -> DutyPanel:
    counts = attendance_rate(deputy, year)
    # 66.7%, but 50% and 100% (a phone's box is narrow)
    rate = "—" if counts.rate is None else f"{counts.rate:.1%}".replace(".0%", "%")
    return DutyPanel(
        key="attendance",
        title="会议出席",
        figures=(
            DutyFigure("出席", str(counts.present)),
            DutyFigure("请假", str(counts.leave)),
            DutyFigure("缺席", str(counts.absent)),
            DutyFigure("出席率", rate),
        ),
        note=(
            f"按本年度已闭会、应出席的 {counts.meetings} 次会议计算（列席不计），"
            "出席率 = 出席次数 ÷ 应出席次数。"
        ),
    )
