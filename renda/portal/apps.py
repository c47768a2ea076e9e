from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "renda.portal"
    verbose_name = "人大之家"
