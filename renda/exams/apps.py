from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "renda.exams"
    verbose_name = "任前法律考试"

    def ready(self) -> None:
        from renda.core.imports import register_spec

        from .imports import QuestionImportSpec

        register_spec(QuestionImportSpec())

        from renda.meetings.links import register_agenda_note

        from .services.appointments import agenda_note

        # A meeting's agenda item from an appointment list says who has not passed yet.
        register_agenda_note(agenda_note)
