import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from renda.lib.idcard import (
    birth_date_from_id,
    gender_from_id,
    id_check_digit,
    id_number_problem,
    is_mobile,
)


def test_a_published_example_number_is_valid() -> None:
    # GB 11643-1999 worked example.
    assert id_number_problem("11010519491231002X") is None
    assert birth_date_from_id("11010519491231002X") == dt.date(1949, 12, 31)
    assert gender_from_id("11010519491231002X") == "F"


def test_it_explains_what_is_wrong_in_chinese() -> None:
    assert id_number_problem("110105194912310021") == "身份证号校验位错误"
    assert id_number_problem("11010519491331002X") == "身份证号中的出生日期无效"
    assert "18位" in (id_number_problem("1234") or "")


@given(
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)), st.integers(0, 999)
)
def test_any_number_with_its_check_digit_is_valid(birth: dt.date, serial: int) -> None:
    first17 = f"431381{birth:%Y%m%d}{serial:03d}"
    assert id_number_problem(first17 + id_check_digit(first17)) is None


def test_mobile_numbers() -> None:
    assert is_mobile("13912345678") and not is_mobile("12912345678") and not is_mobile("1391234567")
