from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "renda.exams"
    verbose_name = "任前法律考试"
