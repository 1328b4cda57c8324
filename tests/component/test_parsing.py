"""What workers may type, and how each refusal is reported."""

import contextlib
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.parsing import (
    MAX_AMOUNT,
    MAX_WORKERS,
    ParseError,
    format_phone,
    mask_phone,
    parse_amount,
    parse_free_text,
    parse_month,
    parse_name,
    parse_phone,
    parse_worker_count,
)

TODAY = date(2024, 3, 15)


def reason_of(call: Callable[..., object], *args: object) -> str:
    with pytest.raises(ParseError) as caught:
        call(*args)
    return caught.value.reason


# --- ParseError -----------------------------------------------------------------------------


def test_parse_error_carries_reason_and_is_a_value_error() -> None:
    error = ParseError("zero")
    assert error.reason == "zero"
    assert str(error) == "zero"
    assert isinstance(error, ValueError)


# --- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "195000",
        "195,000",
        "195，000",
        "195 000",
        "195000.00",
        "195,000.00元",
        "19.5万",
        "19.5 万",
        "19.5万元",
        "19万5千",
        "19万5",
        "十九万五千元",
        "十九万五千",
        "十九万五",
        "十九点五万",
        "拾玖万伍仟元整",
        "¥195,000",
        "￥195000",
        "195000元",
        "195000 yuan",
        "195000 Yuan",
        "RMB 195000",
        "rmb195000",
        "CNY195000",
        "人民币195000元",
        "１９５０００",
        "  195000  ",
        "195k",
        "19.5w",
        "约19.5万",
        "19.5万左右",
    ],
)
def test_amount_accepts_common_spellings_of_195000(text: str) -> None:
    assert parse_amount(text) == Decimal("195000.00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3千", "3000"),
        ("3k", "3000"),
        ("3K", "3000"),
        ("3.5千", "3500"),
        ("五千块", "5000"),
        ("五千块钱", "5000"),
        ("两万", "20000"),
        ("一万二", "12000"),
        ("1万零500", "10500"),
        ("五百万", "5000000"),
        ("一千二百三十四点五六", "1234.56"),
        ("150000.5", "150000.50"),
        ("1,234,567.8", "1234567.80"),
        ("1亿", "100000000"),
    ],
)
def test_amount_reads_value(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


def test_amount_is_quantized_to_fen() -> None:
    assert parse_amount("195000").as_tuple().exponent == -2


def test_amount_keeps_fen_of_decimal_wan() -> None:
    assert parse_amount("1.23456万") == Decimal("12345.60")


@pytest.mark.parametrize(("text", "expected"), [("12.345", "12.35"), ("12.344", "12.34")])
def test_amount_rounds_extra_decimals_half_up(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not_a_number"),
        ("lots", "not_a_number"),
        ("元", "not_a_number"),
        ("万", "not_a_number"),
        ("1,5", "not_a_number"),
        ("1e5", "not_a_number"),
        ("nan", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("9" * 100, "not_a_number"),
        ("0", "zero"),
        ("零", "zero"),
        ("0.00元", "zero"),
        ("0.001", "zero"),
        ("-5000", "negative"),
        ("负五千", "negative"),
        ("¥-5000", "negative"),
        ("−5000", "negative"),
        ("1.2亿", "too_large"),
        ("100000000.01", "too_large"),
        ("9" * 60, "too_large"),
    ],
)
def test_amount_refusals(text: str, reason: str) -> None:
    assert reason_of(parse_amount, text) == reason


def test_amount_accepts_exactly_the_maximum() -> None:
    assert parse_amount(str(MAX_AMOUNT)) == MAX_AMOUNT


# --- worker counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "12",
        "12人",
        "12 人",
        "十二",
        "十二个人",
        "十二人",
        "12个",
        "12名工人",
        "12 workers",
        "１２",
        "一共12人",
    ],
)
def test_worker_count_accepts_common_spellings_of_12(text: str) -> None:
    assert parse_worker_count(text) == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("两人", 2), ("1 worker", 1), ("1,200", 1200), ("1万", MAX_WORKERS)],
)
def test_worker_count_reads_value(text: str, expected: int) -> None:
    assert parse_worker_count(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("abc", "not_a_number"),
        ("many", "not_a_number"),
        ("人", "not_a_number"),
        ("0", "zero"),
        ("零", "zero"),
        ("-3", "negative"),
        ("负三", "negative"),
        ("2.5", "not_whole"),
        ("十点五", "not_whole"),
        ("10001", "too_large"),
        ("2万", "too_large"),
    ],
)
def test_worker_count_refusals(text: str, reason: str) -> None:
    assert reason_of(parse_worker_count, text) == reason


# --- months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2021年5月",
        "2021年05月",
        "2021年5月份",
        "2021 年 5 月",
        "2021-05",
        "2021-5",
        "2021/05",
        "2021.5",
        "05/2021",
        "5/2021",
        "5-2021",
        "202105",
        "May 2021",
        "may 2021",
        "MAY 2021",
        "May, 2021",
        "2021 May",
        "2021may",
        "二〇二一年五月",
        "二零二一年五月",
        "二〇二一年五月份",
        "２０２１年５月",
        "21年5月",
        "2021年5月12日",
        "2021-05-12",
    ],
)
def test_month_accepts_may_2021(text: str) -> None:
    assert parse_month(text, TODAY) == date(2021, 5, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sept. 2021", date(2021, 9, 1)),
        ("december 2020", date(2020, 12, 1)),
        ("二〇二〇年十二月", date(2020, 12, 1)),
        ("98年5月", date(1998, 5, 1)),
        ("1980-01", date(1980, 1, 1)),
    ],
)
def test_month_reads_value(text: str, expected: date) -> None:
    assert parse_month(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("去年5月", date(2023, 5, 1)),
        ("去年五月", date(2023, 5, 1)),
        ("今年3月", date(2024, 3, 1)),
        ("今年1月", date(2024, 1, 1)),
        ("前年12月", date(2022, 12, 1)),
        ("本月", date(2024, 3, 1)),
        ("上个月", date(2024, 2, 1)),
        ("last month", date(2024, 2, 1)),
    ],
)
def test_month_reads_relative_months(text: str, expected: date) -> None:
    assert parse_month(text, TODAY) == expected


def test_month_last_month_in_january_is_december_of_last_year() -> None:
    assert parse_month("上个月", date(2024, 1, 10)) == date(2023, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3月", date(2024, 3, 1)), ("5月", date(2023, 5, 1)), ("May", date(2023, 5, 1))],
)
def test_month_without_year_is_the_latest_such_month(text: str, expected: date) -> None:
    assert parse_month(text, TODAY) == expected


def test_month_of_today_is_not_future() -> None:
    assert parse_month("2024-03", TODAY) == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("foo", "format"),
        ("2021", "format"),
        ("2021年", "format"),
        ("2021-13", "format"),
        ("2021-00", "format"),
        ("13/2021", "format"),
        ("2021-02-30", "format"),
        ("Mayo 2021", "format"),
        ("12", "format"),
        ("2024-04", "future"),
        ("今年4月", "future"),
        ("2030年1月", "future"),
        ("1979-12", "too_old"),
        ("79年5月", "too_old"),
    ],
)
def test_month_refusals(text: str, reason: str) -> None:
    assert reason_of(parse_month, text, TODAY) == reason


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_phone_accepts_chinese_mobile_spellings(text: str) -> None:
    assert parse_phone(text) == "+8613812345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0932-8212345", "+869328212345"),
        ("(0932) 821 2345", "+869328212345"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_accepts_landlines_and_foreign_numbers(text: str, expected: str) -> None:
    assert parse_phone(text) == expected


def test_phone_uses_region_for_numbers_without_country_code() -> None:
    assert parse_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (" ", "empty"),
        ("12345", "invalid_phone"),
        ("1381234567", "invalid_phone"),
        ("abc", "invalid_phone"),
        ("+999 1234", "invalid_phone"),
        ("1" * 100, "invalid_phone"),
    ],
)
def test_phone_refusals(text: str, reason: str) -> None:
    assert reason_of(parse_phone, text) == reason


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+8613812345678", "138****5678"),
        ("+442079460958", "+44 ******0958"),
        ("+869328212345", "+86 ******2345"),
    ],
)
def test_mask_phone(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+8613812345678", "138 1234 5678"),
        ("+869328212345", "0932 821 2345"),
        ("+442079460958", "+44 20 7946 0958"),
    ],
)
def test_a_phone_is_shown_as_its_owner_writes_it(e164: str, shown: str) -> None:
    assert format_phone(e164) == shown


@pytest.mark.parametrize("text", ["13812345678", "not a phone", ""])
def test_mask_phone_refuses_what_is_not_e164(text: str) -> None:
    assert reason_of(mask_phone, text) == "invalid_phone"


@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
@settings(database=None, deadline=None)
def test_mask_phone_never_reveals_more_than_allowed(e164: str) -> None:
    try:
        masked = mask_phone(e164)
    except ParseError:
        return
    digits = "".join(char for char in masked if char.isdigit())
    country_code = masked[1:].split(" ")[0] if masked.startswith("+") else ""
    assert len(digits) - len(country_code) <= (7 if not country_code else 4)


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", "张三"),
        ("  张三  ", "张三"),
        ("李", "李"),
        ("Wang  Xiao\tMing", "Wang Xiao Ming"),
        ("王师傅\n", "王师傅"),
        ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
        ("张三 2组", "张三 2组"),
        ("x" * 50, "x" * 50),
    ],
)
def test_name_is_trimmed_and_collapsed(text: str, expected: str) -> None:
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (" \n ", "empty"),
        ("x" * 51, "too_long"),
        ("12345", "not_a_name"),
        ("13812345678", "not_a_name"),
        ("+86 138 1234 5678", "not_a_name"),
        ("张三13812345678", "not_a_name"),
        ("...", "not_a_name"),
        ("👍", "not_a_name"),
        ("/start", "not_a_name"),
        ("张\x00三", "not_a_name"),
        ("张\x1b三", "not_a_name"),
        ("张\u202e三", "not_a_name"),
    ],
)
def test_name_refusals(text: str, reason: str) -> None:
    assert reason_of(parse_name, text) == reason


# --- free text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  定西某某建筑公司  ", "定西某某建筑公司"),
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("a  \n \n\n  \nb", "a\n\nb"),
        ("a\x00b\x07c", "abc"),
        ("a\tb", "a b"),
        ("a\u202eb", "ab"),
        ("账号 6222 0000 1111", "账号 6222 0000 1111"),
    ],
)
def test_free_text_is_cleaned(text: str, expected: str) -> None:
    assert parse_free_text(text, 100) == expected


def test_free_text_length_counts_characters_after_cleaning() -> None:
    assert parse_free_text("  工地" + "\n" * 10 + "地址  ", 6) == "工地\n\n地址"
    assert reason_of(parse_free_text, "工地地址很长", 5) == "too_long"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\x00\x01"])
def test_free_text_refuses_empty(text: str) -> None:
    assert reason_of(parse_free_text, text, 100) == "empty"


def test_free_text_rejects_nonsense_limit() -> None:
    with pytest.raises(ValueError, match="max_length"):
        parse_free_text("x", 0)


# --- robustness -----------------------------------------------------------------------------

# Characters the parsers treat specially, so that random text reaches their deeper branches.
_NUMERIC_ALPHABET = "0123456789.,，-−+ 万千百亿点负十零〇一二两三四五六七八九元块年月份日号人个kw¥/"
_ANY_TEXT = st.one_of(st.text(), st.text(alphabet=_NUMERIC_ALPHABET))


@given(text=_ANY_TEXT, today=st.dates(min_value=date(1, 1, 1)))
@settings(database=None, deadline=None, max_examples=300)
def test_parsers_raise_only_parse_error(text: str, today: date) -> None:
    for call in (
        parse_amount,
        parse_worker_count,
        lambda t: parse_month(t, today),
        parse_phone,
        parse_name,
        lambda t: parse_free_text(t, 500),
    ):
        with contextlib.suppress(ParseError):
            call(text)


@given(_ANY_TEXT)
@settings(database=None, deadline=None, max_examples=300)
def test_accepted_amounts_are_in_range(text: str) -> None:
    try:
        amount = parse_amount(text)
    except ParseError:
        return
    assert Decimal("0.01") <= amount <= MAX_AMOUNT
    assert amount.as_tuple().exponent == -2


@given(st.text())
@settings(database=None, deadline=None)
def test_cleaned_free_text_has_no_control_characters(text: str) -> None:
    try:
        cleaned = parse_free_text(text, 10_000)
    except ParseError:
        return
    assert "\n\n\n" not in cleaned
    assert all(char == "\n" or unicodedata.category(char) not in ("Cc", "Cs") for char in cleaned)
