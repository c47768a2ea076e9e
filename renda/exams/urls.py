from django.urls import path

from .views import bank, transfer

app_name = "exams"

urlpatterns = [
    # the question bank: exam administrators only (exams/permissions.py)
    path("bank/", bank.bank, name="bank"),
    path("bank/new/", bank.question_create, name="question_create"),
    path("bank/<id:pk>/", bank.question_detail, name="question_detail"),
    path("bank/<id:pk>/edit/", bank.question_edit, name="question_edit"),
    path("bank/<id:pk>/ready/", bank.question_ready, name="question_ready"),
    path("bank/<id:pk>/retire/", bank.question_retire, name="question_retire"),
    path("bank/<id:pk>/restore/", bank.question_restore, name="question_restore"),
    path("bank/import/", transfer.bank_import, name="bank_import"),
    path("bank/export/", transfer.bank_export, name="bank_export"),
    path("topics/", bank.topics, name="topics"),
    path("topics/<id:pk>/", bank.topic_edit, name="topic_edit"),
]
