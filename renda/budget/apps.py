from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "renda.budget"
    verbose_name = "预算联网监督"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import tasks
        from .ingest.values import data_imported
        from .services.batches import upload_stored

        data_imported.connect(tasks.on_data_imported, dispatch_uid="budget_rules_after_import")
        upload_stored.connect(tasks.on_upload_stored, dispatch_uid="budget_run_uploaded_batch")
        post_migrate.connect(_ensure_rules, sender=self, dispatch_uid="budget_ensure_rules")


def _ensure_rules(**kwargs: object) -> None:
    """The Rule row of every registered rule exists from the first migrate on (and again after
    a test database is flushed), so pages never create them on a GET."""
    from .services.engine import ensure_rules

    ensure_rules()
