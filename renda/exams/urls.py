from django.urls import path

from .views import (
    appointments,
    attempts,
    bank,
    committee,
    grading,
    papers,
    proctor,
    results,
    sittings,
    study,
    transfer,
)

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
    # blueprints and sittings: exam administrators only
    path("blueprints/", papers.blueprints, name="blueprints"),
    path("blueprints/new/", papers.blueprint_create, name="blueprint_create"),
    path("blueprints/check/", papers.blueprint_check, name="blueprint_check"),
    path("blueprints/<id:pk>/", papers.blueprint_edit, name="blueprint_edit"),
    path("sittings/", sittings.sittings, name="sittings"),
    path("sittings/new/", sittings.sitting_create, name="sitting_create"),
    path("sittings/<id:pk>/", sittings.sitting_detail, name="sitting_detail"),
    path("sittings/<id:pk>/edit/", sittings.sitting_edit, name="sitting_edit"),
    path("sittings/<id:pk>/password/", sittings.sitting_password, name="sitting_password"),
    path("sittings/<id:pk>/papers/", papers.sitting_papers, name="sitting_papers"),
    path("sittings/<id:pk>/forms/", papers.sitting_forms, name="sitting_forms"),
    path("sittings/<id:pk>/lot/", papers.sitting_lot, name="sitting_lot"),
    path("sittings/<id:pk>/slips/", sittings.sitting_slips, name="sitting_slips"),
    path("sittings/<id:pk>/proctor/", proctor.proctor, name="proctor"),
    path("sittings/<id:pk>/proctor/<id:attempt>/", proctor.proctor_attempt, name="proctor_attempt"),
    path(
        "sittings/<id:pk>/proctor/<id:attempt>/extend/",
        proctor.proctor_extend,
        name="proctor_extend",
    ),
    path("sittings/<id:pk>/slips.docx", sittings.sitting_slips_docx, name="sitting_slips_docx"),
    # marking (blind: paper codes, never names), release, regrade, results, item statistics
    path("sittings/<id:pk>/grading/", grading.grading_queue, name="grading_queue"),
    path("sittings/<id:pk>/grading/<id:answer>/", grading.grading_mark, name="grading_mark"),
    path("sittings/<id:pk>/regrade/", grading.grading_regrade, name="grading_regrade"),
    path("sittings/<id:pk>/results/", results.results_sitting, name="results_sitting"),
    path("sittings/<id:pk>/results/release/", grading.results_release, name="results_release"),
    path("sittings/<id:pk>/results/<id:attempt>/", results.results_report, name="results_report"),
    path(
        "sittings/<id:pk>/results/<id:attempt>/report.docx",
        results.results_report_docx,
        name="results_report_docx",
    ),
    path("stats/items/", results.item_stats, name="item_stats"),
    # the standing committee's reading: lists before it, released sitting reports (print, Word)
    path("committee/", committee.committee_home, name="committee_home"),
    path("committee/sittings/<id:pk>/", committee.committee_sitting, name="committee_sitting"),
    path(
        "committee/sittings/<id:pk>/report.docx",
        committee.committee_sitting_docx,
        name="committee_sitting_docx",
    ),
    # appointment lists and the gate (任前必考、不漏一人): exam administrators
    path("appointments/", appointments.applists, name="applists"),
    path("appointments/new/", appointments.applist_create, name="applist_create"),
    path("appointments/<id:pk>/", appointments.applist_detail, name="applist_detail"),
    path("appointments/<id:pk>/submit/", appointments.applist_submit, name="applist_submit"),
    path("appointments/<id:pk>/vote/", appointments.applist_vote, name="applist_vote"),
    path(
        "appointments/nominees/<id:pk>/enrol/",
        appointments.nomination_enrol,
        name="nomination_enrol",
    ),
    path(
        "appointments/nominees/<id:pk>/exempt/",
        appointments.nomination_exempt,
        name="nomination_exempt",
    ),
    path(
        "appointments/nominees/<id:pk>/advice/",
        appointments.nomination_advice,
        name="nomination_advice",
    ),
    path(
        "appointments/nominees/<id:pk>/result/",
        appointments.nomination_result,
        name="nomination_result",
    ),
    path("appointments/records/<id:pk>/oath/", appointments.record_oath, name="record_oath"),
    path(
        "appointments/records/<id:pk>/letter.docx",
        appointments.record_letter,
        name="record_letter",
    ),
    # study material: staff publish, nominees read (never the bank)
    path("study/", study.materials, name="materials"),
    path("study/new/", study.material_create, name="material_create"),
    path("study/<id:pk>/edit/", study.material_edit, name="material_edit"),
    path("study/<id:pk>/publish/", study.material_publish, name="material_publish"),
    path("study/<id:pk>/file/", study.material_file, name="material_file"),
    # 人大之家: the public 任免名单 (no log-in)
    path("public/appointments/", appointments.public_lists, name="public_appointments"),
    path("public/appointments/<id:pk>/", appointments.public_list, name="public_appointment"),
    # the nominee's own pages: their sittings and admission slips, never a question
    path("mine/appointments/", appointments.my_appointments, name="my_appointments"),
    path("mine/study/", study.my_materials, name="my_materials"),
    path("mine/study/<id:pk>/", study.my_material, name="my_material"),
    path("mine/", sittings.my_exams, name="my_exams"),
    path("mine/<id:pk>/slip/", sittings.my_slip, name="my_slip"),
    path("mine/<id:pk>/slip.docx", sittings.my_slip_docx, name="my_slip_docx"),
    path("mine/<id:pk>/result/", results.my_result, name="my_result"),
    path("mine/<id:pk>/result.docx", results.my_result_docx, name="my_result_docx"),
    # taking the exam: only the examinee's own paper (views/attempts.py)
    path("mine/<id:pk>/exam/", attempts.attempt, name="attempt"),
    path("mine/<id:pk>/exam/save/", attempts.attempt_save, name="attempt_save"),
    path("mine/<id:pk>/exam/event/", attempts.attempt_event, name="attempt_event"),
    path("mine/<id:pk>/exam/state/", attempts.attempt_state, name="attempt_state"),
    path("mine/<id:pk>/exam/submit/", attempts.attempt_submit, name="attempt_submit"),
]
