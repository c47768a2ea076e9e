from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "renda.documents"
    verbose_name = "知情知政"

    def ready(self) -> None:
        from django.urls import reverse

        from renda.meetings.links import MeetingLink, register

        # The meeting's pages lead to its documents: staff to attach them, members to read.
        register(
            MeetingLink(
                "会议文件",
                "bi-file-earmark-text",
                staff_url=lambda m: reverse("documents:meeting", args=[m.pk]),
                member_url=lambda m: reverse("documents:mine") + f"?meeting={m.pk}",
            )
        )
