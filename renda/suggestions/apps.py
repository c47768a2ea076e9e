from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "renda.suggestions"
    verbose_name = "议案建议"

    def ready(self) -> None:
        from renda.deputies.selectors.reports import contribute

        from .selectors import duty_report_part

        contribute(duty_report_part)
