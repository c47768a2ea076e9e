from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renda.accounts"
    verbose_name = "账号与安全"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers the system check and receivers)
