from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "renda.budget"
    verbose_name = "预算联网监督"

    def ready(self) -> None:
        from . import ingest, tasks

        ingest.data_imported.connect(
            tasks.on_data_imported, dispatch_uid="budget_rules_after_import"
        )
