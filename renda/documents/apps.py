from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "renda.documents"
    verbose_name = "知情知政"
