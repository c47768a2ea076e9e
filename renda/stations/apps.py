from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "renda.stations"
    verbose_name = "代表工作站点"
