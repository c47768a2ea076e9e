from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "renda.budget"
    verbose_name = "预算联网监督"
