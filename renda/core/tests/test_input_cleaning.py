"""Control characters never reach a form (security probe, issue 13 item 4): a public opinion or
a log-in name with \\x01 made the exports answer 500 for good."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import RequestFactory

from renda.core.middleware import InputCleaningMiddleware


def _echo(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"get": request.GET.dict(), "post": request.POST.dict()})


def _through(request: HttpRequest) -> dict:
    import json

    return json.loads(InputCleaningMiddleware(_echo)(request).content)


def test_control_characters_are_dropped_from_posted_fields():
    request = RequestFactory().post(
        "/x", {"content": "群众\x01意见\x07", "name": "张\x00三", "note": "一行\n二行\t完"}
    )
    assert _through(request)["post"] == {
        "content": "群众意见",
        "name": "张三",
        "note": "一行\n二行\t完",
    }


def test_and_from_query_parameters():
    request = RequestFactory().get("/x", {"q": "abc\x1b[31m"})
    assert _through(request)["get"] == {"q": "abc[31m"}


def test_clean_input_is_left_alone():
    request = RequestFactory().post("/x", {"content": "正常的意见"})
    before = request.POST
    InputCleaningMiddleware(_echo)(request)
    assert request.POST is before


def test_a_multipart_upload_keeps_its_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n\x01\x02", content_type="image/png")
    request = RequestFactory().post("/x", {"title": "照片\x01", "file": upload})
    InputCleaningMiddleware(lambda r: HttpResponse())(request)
    assert request.POST["title"] == "照片"
    assert request.FILES["file"].read() == b"\x89PNG\r\n\x1a\n\x01\x02"
