from django.urls import path

from . import views, views_budget

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/deputies/", views.deputy_directory, name="deputies"),
    path("portal/deputies/<int:pk>/", views.deputy_profile, name="deputy"),
    path("portal/budget/", views_budget.budget, name="budget"),
]
