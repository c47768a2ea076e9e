from django.urls import path

from .views import budget, directory

app_name = "portal"

urlpatterns = [
    path("", directory.home, name="home"),
    path("portal/deputies/", directory.deputy_directory, name="deputies"),
    path("portal/deputies/<int:pk>/", directory.deputy_profile, name="deputy"),
    path("portal/budget/", budget.budget, name="budget"),
]
