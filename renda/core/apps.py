from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "renda.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from renda.lib import crypto

        # 国密 algorithms come from the OpenSSL build; refuse to start without them.
        crypto.self_test()
        # <id:pk> and <year:year> in every app's URLs (core/converters.py).
        from django.urls import register_converter

        from . import signals  # noqa: F401  (audit of log in / log out / lockout)
        from .converters import IdConverter, YearConverter

        register_converter(IdConverter, "id")
        register_converter(YearConverter, "year")
