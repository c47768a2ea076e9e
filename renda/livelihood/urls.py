from django.urls import path

from .views import collection, deputy, public, satisfaction, screening, staff

app_name = "livelihood"

urlpatterns = [
    # staff and standing-committee members
    path("", staff.home, name="home"),
    path("projects/new/", staff.project_create, name="project_create"),
    path("lists/new/", staff.list_create, name="list_create"),
    path("lists/<id:pk>/", staff.list_detail, name="list_detail"),
    path("lists/<id:pk>/add/", staff.candidate_add, name="candidate_add"),
    path("candidates/<id:pk>/remove/", staff.candidate_remove, name="candidate_remove"),
    path("lists/<id:pk>/confirm/", staff.list_confirm, name="list_confirm"),
    path("lists/<id:pk>/vote/", staff.vote_create, name="vote_create"),
    path("votes/<id:pk>/", staff.vote_detail, name="vote_detail"),
    path("votes/<id:pk>/rules/", staff.vote_rules, name="vote_rules"),
    path("rounds/<id:pk>/open/", staff.round_open, name="round_open"),
    path("rounds/<id:pk>/close/", staff.round_close, name="round_close"),
    path("rounds/<id:pk>/count/", staff.round_count, name="round_count"),
    path("rounds/<id:pk>/screen/", staff.round_screen, name="round_screen"),
    path("rounds/<id:pk>/report/", staff.round_report, name="round_report"),
    path("rounds/<id:pk>/paper/", staff.round_paper, name="round_paper"),
    path("votes/<id:pk>/reserve/", screening.vote_reserve, name="vote_reserve"),
    # 满意度测评 and 整改 (rectification)
    path("satisfaction/", satisfaction.satisfaction_home, name="satisfaction"),
    path("satisfaction/new/", satisfaction.satisfaction_create, name="satisfaction_create"),
    path("rectifications/", satisfaction.rectifications, name="rectifications"),
    path("rectifications/<id:pk>/", satisfaction.rectification_detail, name="rectification_detail"),
    path(
        "rectifications/<id:pk>/reply/",
        satisfaction.rectification_reply,
        name="rectification_reply",
    ),
    path(
        "rectifications/<id:pk>/deadline/",
        satisfaction.rectification_deadline,
        name="rectification_deadline",
    ),
    path(
        "rectifications/<id:pk>/reevaluate/",
        satisfaction.rectification_reevaluate,
        name="rectification_reevaluate",
    ),
    # collection and screening (staff)
    path("calls/", collection.calls, name="calls"),
    path("calls/new/", collection.call_create, name="call_create"),
    path("calls/<id:pk>/", collection.call_detail, name="call_detail"),
    path("calls/<id:pk>/publish/", collection.call_publish, name="call_publish"),
    path("calls/<id:pk>/close/", collection.call_close, name="call_close"),
    path("calls/<id:pk>/proposals/new/", collection.proposal_create, name="proposal_create"),
    path("calls/<id:pk>/build/", screening.list_build, name="list_build"),
    path("proposals/<id:pk>/", collection.proposal_detail, name="proposal_detail"),
    path("proposals/<id:pk>/screen/", screening.proposal_screen, name="proposal_screen"),
    path("proposals/<id:pk>/accept/", screening.proposal_accept, name="proposal_accept"),
    path("proposals/<id:pk>/reject/", screening.proposal_reject, name="proposal_reject"),
    path("proposals/<id:pk>/reserve/", screening.proposal_reserve, name="proposal_reserve"),
    path("proposals/<id:pk>/merge/", collection.proposal_merge, name="proposal_merge"),
    path("proposals/<id:pk>/carry/", collection.proposal_carry, name="proposal_carry"),
    path("reserve/", collection.reserve_list, name="reserve"),
    path("convert/", collection.convert_list, name="convert"),
    path("convert/opinion/<id:pk>/", collection.opinion_convert, name="opinion_convert"),
    path("convert/suggestion/<id:pk>/", collection.suggestion_convert, name="suggestion_convert"),
    # deputies on their phones
    path("mine/", deputy.my_votes, name="my_votes"),
    path("rounds/<id:pk>/ballot/", deputy.ballot, name="ballot"),
    path("propose/", deputy.propose, name="propose"),
    path("mine/proposals/", deputy.my_proposals, name="my_proposals"),
    # the public
    path("rounds/<id:pk>/trackers/", public.tracker_list, name="trackers"),
    path("rounds/<id:pk>/verify/", public.verify, name="verify"),
    path("public/", public.calls, name="public_calls"),
    path("public/calls/<id:pk>/", public.call_page, name="public_call"),
    path("public/calls/<id:pk>/propose/", public.propose, name="public_propose"),
    path("public/calls/<id:pk>/proposals/", public.proposal_list, name="public_proposals"),
    path("public/track/", public.track, name="public_track"),
    path("public/track/<str:code>/", public.track_detail, name="public_track_detail"),
    path("public/votes/<id:pk>/", public.results, name="public_results"),
    path("public/satisfaction/", satisfaction.public_list, name="public_satisfaction"),
]
