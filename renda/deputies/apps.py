from django.apps import AppConfig


class DeputiesConfig(AppConfig):
    name = "renda.deputies"
    verbose_name = "代表"

    def ready(self) -> None:
        from renda.core.imports import register_spec

        from .imports import DeputyImportSpec

        register_spec(DeputyImportSpec())
