from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "renda.stations"
    verbose_name = "代表工作站点"

    def ready(self) -> None:
        from renda.deputies.extensions import register

        from .members import STATION_FACT

        register(STATION_FACT)
