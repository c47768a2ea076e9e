from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from renda.core.forms import BootstrapForm
from renda.deputies.models import Deputy
from renda.meetings.models import Meeting

from .models import Document
from .rules import MEETING_KINDS, Audience, Kind, ReleaseMode
from .services import Release

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LIBRARY_AUDIENCES = [c for c in Audience.choices if c[0] != Audience.MEETING]


class DocumentForm(BootstrapForm):
    """A library document (年度文件库) or, with `meeting`, a meeting document on one of its
    agenda items. `with_file=False` for editing (the file stays)."""

    title = forms.CharField(label="标题", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    file = forms.FileField(
        label="文件", help_text="PDF 或 Word（docx），不超过 50 MB；上传后可在手机上直接预览"
    )
    agenda_item = forms.TypedChoiceField(label="议程", coerce=int)
    audience = forms.ChoiceField(label="发放范围", choices=LIBRARY_AUDIENCES)
    recipients = forms.ModelMultipleChoiceField(
        label="指定代表",
        required=False,
        queryset=Deputy.objects.filter(status=Deputy.Status.ACTIVE).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="发放范围为“指定代表”时选择（按住 Ctrl 多选）",
    )
    release_mode = forms.ChoiceField(label="发布方式", choices=ReleaseMode.choices)
    release_at = forms.DateTimeField(
        label="发布时间", required=False, widget=DATETIME, help_text="定时发布时填写"
    )
    confidential = forms.BooleanField(
        label="涉密文件（仅发放范围内人员可见，预览加水印，下载留痕）", required=False
    )

    def __init__(
        self,
        *args: Any,
        meeting: Meeting | None = None,
        with_file: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        if not with_file:
            del self.fields["file"]
        if meeting is None:
            del self.fields["agenda_item"]
            cast(forms.ChoiceField, self.fields["release_mode"]).choices = [
                c for c in ReleaseMode.choices if c[0] != ReleaseMode.AT_MEETING
            ]
        elif not with_file:  # a meeting document stays on its agenda item
            del self.fields["agenda_item"]
        else:
            cast(forms.ChoiceField, self.fields["agenda_item"]).choices = [
                (item.pk, str(item)) for item in meeting.agenda.all()
            ]
        if meeting is not None:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (k.value, k.label) for k in MEETING_KINDS
            ]
            for name in ("audience", "recipients"):
                del self.fields[name]
        self.fields["year"].initial = timezone.localdate().year

    def release(self) -> Release:
        data = self.cleaned_data
        return Release(
            audience=Audience.MEETING if self.meeting is not None else data["audience"],
            mode=data["release_mode"],
            at=data.get("release_at"),
            recipients=list(data.get("recipients") or []),
            confidential=data["confidential"],
        )

    @classmethod
    def initial_for(cls, document: Document) -> dict[str, Any]:
        return {
            "title": document.title,
            "kind": document.kind,
            "year": document.year,
            "audience": document.audience,
            "recipients": list(document.recipient_rows.values_list("deputy_id", flat=True)),
            "release_mode": document.release_mode,
            "release_at": document.release_at,
            "confidential": document.confidential,
        }


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(label="撤回原因", max_length=200)
