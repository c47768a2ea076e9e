from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "renda.meetings"
    verbose_name = "会议"

    def ready(self) -> None:
        # The deputy's duty pages show the year's attendance without deputies importing us.
        from renda.deputies.selectors.reports import contribute_panel

        from .duty import attendance_panel

        contribute_panel(attendance_panel)
