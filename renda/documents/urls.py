from django.urls import path

from .views import reader, staff

app_name = "documents"

urlpatterns = [
    # staff
    path("", staff.library_list, name="library"),
    path("upload/", staff.upload, name="upload"),
    path("meeting/<id:pk>/", staff.meeting_documents, name="meeting"),
    path("<id:pk>/edit/", staff.edit, name="edit"),
    path("<id:pk>/withdraw/", staff.withdraw, name="withdraw"),
    path("<id:pk>/readers/", staff.report, name="report"),
    path("<id:pk>/readers/export/", staff.report_export, name="report_export"),
    # readers on their phones (and staff, who keep the documents)
    path("mine/", reader.mine, name="mine"),
    path("<id:pk>/", reader.read, name="read"),
    path("<id:pk>/file/", reader.raw, name="raw"),
    path("<id:pk>/download/", reader.download, name="download"),
]
