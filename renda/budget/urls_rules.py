"""URL patterns of the rule pages (included by budget/urls.py)."""

from django.urls import URLPattern, path

from . import views_rules

urlpatterns: list[URLPattern] = [
    path("rules/", views_rules.rule_list, name="rules"),
    path("rules/run/", views_rules.rule_run, name="rule_run"),
    path("rules/runs/", views_rules.run_list, name="rule_runs"),
    path("rules/<str:code>/", views_rules.rule_detail, name="rule_detail"),
]
