"""Numbers from the query string (security probe: "²" and twenty-digit ids answered 500)."""

import pytest
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.test import Client

from renda.core.converters import IdConverter, YearConverter
from renda.core.params import ids_param, int_param, parse_int, required_int, year_param


@pytest.mark.parametrize(
    "raw", ["²", "٣", "-1", "1.5", " ", "", "99999999999999999999", "1e3", "0x10", "１２"]
)
def test_only_ascii_digits_in_range_count(raw):
    assert parse_int(raw, low=1) is None


def test_valid_numbers_pass():
    assert parse_int("42") == 42 and parse_int(" 7 ") == 7
    q = QueryDict("station=12&year=2026&bad=²&id=3&id=x&id=3&id=5")
    assert int_param(q, "station") == 12 and int_param(q, "bad") is None
    assert int_param(q, "missing", default=9) == 9
    assert year_param(q) == 2026 and year_param(QueryDict("year=99999")) is None
    assert year_param(QueryDict("year=0")) is None and year_param(QueryDict("year=-1")) is None
    assert ids_param(q, "id") == [3, 5]


def test_a_required_number_is_refused_in_chinese():
    with pytest.raises(BadRequest, match="不是有效的数字"):
        required_int(QueryDict("n=²"), "n", label="数量")


def test_converters_refuse_out_of_range_values():
    with pytest.raises(ValueError):
        YearConverter().to_python("9999")
    assert YearConverter().to_python("2026") == 2026
    with pytest.raises(ValueError):
        IdConverter().to_python("0")
    assert IdConverter().to_python("9" * 18) == 999_999_999_999_999_999
    # Nineteen digits never match the converter's pattern: the URL does not resolve (404).
    assert not __import__("re").fullmatch(IdConverter.regex, "9" * 19)


@pytest.mark.django_db
def test_a_bad_request_shows_the_chinese_400_page(settings):
    from django.urls import path

    from renda.core.views import errors

    def view(request):
        required_int(request.GET, "n", label="数量")

    from django.urls import get_resolver

    patterns = [path("t/", view), *get_resolver().url_patterns]
    urlconf = type("U", (), {"urlpatterns": patterns, "handler400": errors.bad_request})
    settings.ROOT_URLCONF = urlconf
    response = Client().get("/t/?n=²")
    assert response.status_code == 400
    assert "参数“数量”不是有效的数字" in response.content.decode()
