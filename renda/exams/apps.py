from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "renda.exams"
    verbose_name = "任前法律考试"

    def ready(self) -> None:
        from renda.core.imports import register_spec

        from .imports import QuestionImportSpec

        register_spec(QuestionImportSpec())
