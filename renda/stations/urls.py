from django.urls import path

from .views import liaison, opinions, public, registry, rosters, stats

app_name = "stations"

urlpatterns = [
    # staff: registry
    path("", registry.home, name="home"),
    path("list/", registry.station_list, name="list"),
    path("list/export.xlsx", registry.station_export, name="export"),
    path("new/", registry.station_create, name="create"),
    path("<id:pk>/", registry.station_detail, name="detail"),
    path("<id:pk>/edit/", registry.station_edit, name="edit"),
    path("<id:pk>/clerks/", registry.clerk_add, name="clerk_add"),
    path("clerks/<id:pk>/remove/", registry.clerk_remove, name="clerk_remove"),
    path("<id:pk>/deputies/", registry.deputy_add, name="deputy_add"),
    path(
        "<id:pk>/deputies/<id:deputy_pk>/remove/",
        registry.deputy_remove,
        name="deputy_remove",
    ),
    path("checklist/<id:pk>/", registry.checklist_edit, name="checklist_edit"),
    path("checklist/<id:pk>/evidence/", registry.checklist_evidence, name="checklist_evidence"),
    path("<id:pk>/plan/", registry.plan_edit, name="plan_edit"),
    path("<id:pk>/photos/", registry.photo_add, name="photo_add"),
    path("photos/<id:pk>/", registry.photo, name="photo"),
    # staff: rosters
    path("<id:pk>/slots/new/", rosters.slot_create, name="slot_create"),
    path("<id:pk>/slots/rotation/", rosters.rotation, name="rotation"),
    path("slots/<id:pk>/", rosters.slot_detail, name="slot_detail"),
    path("slots/<id:pk>/publish/", rosters.slot_publish, name="slot_publish"),
    path("slots/<id:pk>/cancel/", rosters.slot_cancel, name="slot_cancel"),
    path("duties/<id:pk>/confirm/", rosters.attendance_confirm, name="attendance_confirm"),
    path("duty-minimum/", rosters.duty_minimum, name="duty_minimum"),
    # deputy: own duties on a phone
    path("me/", rosters.my_duties, name="my_duties"),
    path("duties/<id:pk>/check-in/", rosters.check_in, name="check_in"),
    path("duties/<id:pk>/check-out/", rosters.check_out, name="check_out"),
    # receptions and opinions
    path("<id:pk>/receptions/new/", opinions.reception_create, name="reception_create"),
    path("receptions/", opinions.reception_list, name="reception_list"),
    path("receptions/<id:pk>/", opinions.reception_detail, name="reception_detail"),
    path("opinions/", opinions.opinion_list, name="opinion_list"),
    path("opinions/export.xlsx", opinions.opinion_export, name="opinion_export"),
    path("opinions/<id:pk>/", opinions.opinion_detail, name="opinion_detail"),
    path("opinions/<id:pk>/step/", opinions.opinion_step, name="opinion_step"),
    path("opinions/<id:pk>/assign/", opinions.opinion_assign, name="opinion_assign"),
    path("opinions/<id:pk>/reply/", opinions.opinion_reply, name="opinion_reply"),
    path("opinions/<id:pk>/answer/", opinions.opinion_answer, name="opinion_answer"),
    path("opinions/<id:pk>/convert/", opinions.opinion_convert, name="opinion_convert"),
    path("opinions/<id:pk>/rate/", opinions.opinion_rate, name="opinion_rate"),
    path(
        "opinions/<id:pk>/draft-suggestion/",
        opinions.opinion_draft_suggestion,
        name="opinion_draft_suggestion",
    ),
    path("opinions/attachments/<id:pk>/", opinions.opinion_attachment, name="opinion_attachment"),
    # statistics
    path("stats/", stats.stats, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
    # 双联 (issue 15 item 3)
    path("liaison/", liaison.home, name="liaison"),
    path("liaison/coverage/", liaison.coverage, name="liaison_coverage"),
    path("liaison/coverage/export.xlsx", liaison.export, name="liaison_export"),
    path("liaison/rule/", liaison.rule, name="liaison_rule"),
    path("liaison/members/<id:pk>/", liaison.member, name="liaison_member"),
    path("liaison/members/<id:pk>/link/", liaison.link_add, name="liaison_link_add"),
    path("liaison/links/<id:pk>/remove/", liaison.link_remove, name="liaison_link_remove"),
    path(
        "liaison/links/<id:pk>/contacts/new/", liaison.link_contact_add, name="liaison_link_contact"
    ),
    path("liaison/mine/", liaison.mine, name="liaison_mine"),
    path("liaison/deputies/<id:pk>/", liaison.deputy, name="liaison_deputy"),
    path(
        "liaison/deputies/<id:pk>/constituents/new/",
        liaison.constituent_add,
        name="liaison_constituent_add",
    ),
    path("liaison/deputies/<id:pk>/contacts/new/", liaison.contact_add, name="liaison_contact_add"),
    path(
        "liaison/constituents/<id:pk>/edit/",
        liaison.constituent_edit,
        name="liaison_constituent_edit",
    ),
    path(
        "liaison/constituents/<id:pk>/remove/",
        liaison.constituent_remove,
        name="liaison_constituent_remove",
    ),
    path("liaison/contacts/<id:pk>/", liaison.contact, name="liaison_contact"),
    path("liaison/contacts/<id:pk>/opinion/", liaison.contact_opinion, name="liaison_to_opinion"),
    path(
        "liaison/contacts/<id:pk>/suggestion/",
        liaison.contact_suggestion,
        name="liaison_to_suggestion",
    ),
    # 人大之家 (public, no log-in)
    path("public/", public.public_directory, name="public_directory"),
    path("public/<id:pk>/", public.public_station, name="public_station"),
    path("public/<id:pk>/qr/", public.public_qr, name="public_qr"),
    path("public/<id:pk>/opinion/", public.public_station_opinion, name="public_station_opinion"),
    path("public/opinion/", public.public_opinion, name="public_opinion"),
    path("public/track/", public.public_track, name="public_track"),
    path("public/track/<str:code>/", public.public_track_detail, name="public_track_detail"),
    path("public/track/<str:code>/rate/", public.public_rate, name="public_rate"),
]
