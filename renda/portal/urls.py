from django.urls import path

from .views import budget, directory, report

app_name = "portal"

urlpatterns = [
    path("", directory.home, name="home"),
    path("portal/deputies/", directory.deputy_directory, name="deputies"),
    path("portal/deputies/<int:pk>/", directory.deputy_profile, name="deputy"),
    path("portal/budget/", budget.budget, name="budget"),
    path("portal/report/", report.annual_report, name="annual_report"),
    path("portal/report/report.docx", report.annual_report_docx, name="annual_report_docx"),
]
