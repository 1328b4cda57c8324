"""Routing of cases to departments, and how mistakes in the routing file are reported."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.routing_file import RoutingError, load_routing, parse_routing
from bot.settings import EXAMPLE_ROUTING_FILE
from handlers.parsing import parse_phone
from handlers.routing import SECTORS, Routing

EXAMPLE = EXAMPLE_ROUTING_FILE

COUNTIES = ("anding", "tongwei", "longxi", "weiyuan", "lintao", "zhangxian", "minxian")

VALID = """\
[city]
fallback = "city.hrss"

[departments."city.hrss"]
name_zh = "市人社局"
name_en = "City HRSS"
chat_id = -1001

[departments."a.hrss"]
name_zh = "甲县人社局"
name_en = "County A HRSS"
chat_id = -1002
county = "a"

[departments."a.water"]
name_zh = "甲县水务局"
name_en = "County A Water Bureau"
chat_id = -1003
county = "a"
deadline_days = 7

[[counties]]
code = "a"
name_zh = "甲县"
name_en = "County A"
fallback = "a.hrss"

[[counties]]
code = "b"
name_zh = "乙县"
name_en = "County B"
fallback = "city.hrss"

[[rules]]
county = "a"
sector = "water"
department = "a.water"

[[reception_points]]
code = "a.hrss"
name_zh = "甲县接访点"
name_en = "County A reception point"
address_zh = "甲县人社局一楼"
address_en = "County A HRSS, ground floor"
phone = "0932-8000105"
hours_zh = "周一至周五 9:00-17:00"
hours_en = "Mon-Fri 9:00-17:00"
county = "a"
"""

RULE = """
[[rules]]
county = "{county}"
sector = "{sector}"
department = "{department}"
"""


@pytest.fixture(scope="module")
def example() -> Routing:
    return load_routing(EXAMPLE)


@pytest.fixture(scope="module")
def valid() -> Routing:
    return parse_routing(VALID)


# --- the example configuration ----------------------------------------------------------------


def test_example_lists_the_seven_counties_in_order(example: Routing) -> None:
    assert tuple(county.code for county in example.counties) == COUNTIES
    assert example.county("anding").name("zh") == "安定区"
    assert example.county("minxian").name("zh") == "岷县"


@pytest.mark.parametrize("county", COUNTIES)
@pytest.mark.parametrize("sector", SECTORS)
def test_example_routes_every_county_and_sector_to_that_county(
    example: Routing, county: str, sector: str
) -> None:
    department = example.department_for(county, sector)
    assert department.county == county
    assert department.name_zh.startswith(example.county(county).name_zh)


@pytest.mark.parametrize(
    ("sector", "bureau"),
    [
        ("construction", "住房和城乡建设局"),
        ("transport", "交通运输局"),
        ("water", "水务局"),
        ("education", "教育局"),
        ("other", "人力资源和社会保障局"),
    ],
)
def test_example_routes_sector_to_its_regulator(example: Routing, sector: str, bureau: str) -> None:
    for county in COUNTIES:
        assert bureau in example.department_for(county, sector).name_zh


def test_example_county_fallback_is_the_county_hrss(example: Routing) -> None:
    for county in example.counties:
        fallback = example.department(county.fallback)
        assert fallback.county == county.code
        assert "人力资源和社会保障局" in fallback.name_zh


def test_example_city_fallback_is_the_city_hrss(example: Routing) -> None:
    city = example.department(example.city_fallback)
    assert city.county is None
    assert city.name_zh.startswith("定西市人力资源和社会保障局")
    assert example.department_for("no-such-county", "construction") is city


def test_example_chat_ids_are_distinct_group_ids(example: Routing) -> None:
    chat_ids = [department.chat_id for department in example.departments.values()]
    assert len(chat_ids) == len(set(chat_ids)) == 1 + 7 * 5
    assert all(chat_id < 0 for chat_id in chat_ids)


def test_example_reception_points_are_complete(example: Routing) -> None:
    points = example.reception_points
    assert {point.county for point in points} >= set(COUNTIES)
    assert any(point.county is None for point in points)
    for point in points:
        assert parse_phone(point.phone).startswith("+86932")
        assert point.hours_text("zh") and point.hours_text("en")
        assert point.address("zh") != point.address("en")


# --- lookups and the fallback chain -----------------------------------------------------------


def test_explicit_rule_wins(valid: Routing) -> None:
    assert valid.department_for("a", "water").code == "a.water"


def test_county_without_rule_for_sector_falls_back_to_county(valid: Routing) -> None:
    assert valid.department_for("a", "construction").code == "a.hrss"


def test_county_without_rules_uses_its_own_fallback(valid: Routing) -> None:
    assert valid.department_for("b", "water").code == "city.hrss"


def test_unknown_county_falls_back_to_city(valid: Routing) -> None:
    assert valid.department_for("zzz", "water").code == "city.hrss"


def test_unknown_sector_falls_back_to_county(valid: Routing) -> None:
    assert valid.department_for("a", "mining").code == "a.hrss"


def test_department_fields(valid: Routing) -> None:
    water = valid.department("a.water")
    assert (water.chat_id, water.county, water.deadline_days) == (-1003, "a", 7)
    assert valid.department("city.hrss").deadline_days is None
    assert water.name("zh") == "甲县水务局"
    assert water.name("zh-hans") == "甲县水务局"
    assert water.name("en") == "County A Water Bureau"
    assert water.name("ru") == "County A Water Bureau"


def test_reception_point_fields(valid: Routing) -> None:
    point = valid.reception_point("a.hrss")
    assert point.chat_id is None
    assert point.name("zh") == "甲县接访点"
    assert point.address("en") == "County A HRSS, ground floor"
    assert point.hours_text("zh") == "周一至周五 9:00-17:00"
    assert point.hours_text("en") == "Mon-Fri 9:00-17:00"


@pytest.mark.parametrize(
    "lookup",
    [
        lambda r: r.county("zzz"),
        lambda r: r.department("zzz"),
        lambda r: r.reception_point("zzz"),
    ],
)
def test_unknown_codes_are_none_not_an_exception(
    valid: Routing, lookup: Callable[[Routing], object]
) -> None:
    assert lookup(valid) is None


def test_an_unknown_county_is_shown_as_its_code(valid: Routing) -> None:
    assert valid.county_name("zzz", "zh") == "zzz"
    assert valid.department_name("zzz", "en") == "zzz"
    assert valid.county_name("a", "zh") == "甲县"


def test_departments_mapping_is_read_only(valid: Routing) -> None:
    with pytest.raises(TypeError):
        valid.departments["x"] = valid.department("a.hrss")  # type: ignore[index]


# --- invalid files ----------------------------------------------------------------------------


def replaced(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


def added(text: str) -> str:
    return VALID + text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            replaced('sector = "water"', 'sector = "waters"'),
            "rules[0].sector: unknown sector 'waters' (did you mean 'water'?)",
            id="unknown-sector",
        ),
        pytest.param(
            added(RULE.format(county="c", sector="water", department="a.water")),
            "rules[1].county: unknown county 'c'",
            id="unknown-county-in-rule",
        ),
        pytest.param(
            replaced('department = "a.water"', 'department = "a.watr"'),
            "rules[0].department: unknown department 'a.watr' (did you mean 'a.water'?)",
            id="unknown-department-in-rule",
        ),
        pytest.param(
            added(RULE.format(county="a", sector="water", department="a.hrss")),
            "rules[1]: duplicate rule for county 'a' and sector 'water'"
            " (already given in rules[0])",
            id="duplicate-rule",
        ),
        pytest.param(
            replaced('fallback = "a.hrss"\n', ""),
            "counties[0].fallback: required key is missing",
            id="county-without-fallback",
        ),
        pytest.param(
            replaced('fallback = "a.hrss"', 'fallback = "a.hr"'),
            "counties[0].fallback: unknown department 'a.hr'",
            id="county-fallback-unknown",
        ),
        pytest.param(
            replaced('[city]\nfallback = "city.hrss"\n', "[city]\n"),
            "city.fallback: required key is missing",
            id="city-fallback-missing",
        ),
        pytest.param(
            replaced('[city]\nfallback = "city.hrss"\n', ""),
            "city: required key is missing",
            id="city-table-missing",
        ),
        pytest.param(
            replaced('[city]\nfallback = "city.hrss"', '[city]\nfallback = "town.hrss"'),
            "city.fallback: unknown department 'town.hrss'",
            id="city-fallback-unknown",
        ),
        pytest.param(
            replaced("chat_id = -1003", "chat_id = 0"),
            "departments.a.water.chat_id: must not be 0",
            id="chat-id-zero",
        ),
        pytest.param(
            replaced("chat_id = -1003", 'chat_id = "-1003"'),
            "departments.a.water.chat_id: Input should be a valid integer",
            id="chat-id-string",
        ),
        pytest.param(
            replaced("deadline_days = 7", "deadline_days = 0"),
            "departments.a.water.deadline_days: Input should be greater than or equal to 1",
            id="deadline-below-one",
        ),
        pytest.param(
            replaced("deadline_days = 7", "deadline = 7"),
            "departments.a.water.deadline: unknown key",
            id="unknown-key",
        ),
        pytest.param(
            replaced("chat_id = -1002\n", ""),
            "departments.a.hrss.chat_id: required key is missing",
            id="chat-id-missing",
        ),
        pytest.param(
            replaced('county = "a"\ndeadline_days', 'county = "x"\ndeadline_days'),
            "departments.a.water.county: unknown county 'x'",
            id="department-county-unknown",
        ),
        pytest.param(
            replaced('[departments."a.water"]', '[departments."A Water"]'),
            "departments.A Water: invalid code 'A Water'",
            id="department-code-invalid",
        ),
        pytest.param(
            replaced('code = "b"', 'code = "a"'),
            "counties[1].code: duplicate county 'a'",
            id="duplicate-county",
        ),
        pytest.param(
            replaced('name_zh = "乙县"\n', 'name_zh = ""\n'),
            "counties[1].name_zh: String should have at least 1 character",
            id="empty-name",
        ),
        pytest.param(
            replaced('phone = "0932-8000105"', 'phone = "12345"'),
            "reception_points[0].phone: not a valid phone number '12345'",
            id="reception-point-phone",
        ),
        pytest.param(
            replaced('hours_zh = "周一至周五 9:00-17:00"\n', ""),
            "reception_points[0].hours_zh: required key is missing",
            id="reception-point-hours-missing",
        ),
        pytest.param(
            replaced(
                'hours_en = "Mon-Fri 9:00-17:00"\ncounty = "a"', 'hours_en = "x"\ncounty = "q"'
            ),
            "reception_points[0].county: unknown county 'q'",
            id="reception-point-county",
        ),
        pytest.param(
            VALID.replace("[[rules]]", "[[rule]]"),
            "rule: unknown key",
            id="misspelt-table",
        ),
        pytest.param(
            VALID.replace("[[counties]]", "[[regions]]"),
            "counties: required key is missing",
            id="no-counties",
        ),
        pytest.param(
            VALID.replace("[[rules]]", "[rules]"),
            "rules: expected an array of tables",
            id="table-instead-of-array",
        ),
    ],
)
def test_invalid_file_names_the_key(text: str, message: str) -> None:
    with pytest.raises(RoutingError) as caught:
        parse_routing(text, source="config/x.toml")
    error = str(caught.value)
    assert error.startswith(f"routing file config/x.toml: {message}")
    assert "\n" not in error


def test_several_problems_are_counted() -> None:
    text = replaced("chat_id = -1003", "chat_id = 0").replace(
        "deadline_days = 7", "deadline_days = 0"
    )
    with pytest.raises(RoutingError, match=r"chat_id: must not be 0\b.*\(and 1 more problem\)$"):
        parse_routing(text)


def test_toml_syntax_error_names_the_line() -> None:
    text = VALID.replace('name_en = "County B"', "name_en = County B")
    line = text.splitlines().index("name_en = County B") + 1
    with pytest.raises(
        RoutingError, match=rf"^routing file <string>: TOML syntax error: .*line {line}"
    ):
        parse_routing(text)


def test_duplicate_table_is_a_syntax_error() -> None:
    text = added('\n[departments."a.water"]\nname_zh = "x"\n')
    with pytest.raises(RoutingError, match=r"TOML syntax error: .*a\.water.* line"):
        parse_routing(text)


# --- files ------------------------------------------------------------------------------------


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(VALID, encoding="utf-8")
    assert load_routing(path).department_for("a", "water").code == "a.water"


def test_load_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(VALID, encoding="utf-8-sig")
    assert load_routing(path).city_fallback == "city.hrss"


def test_missing_file_is_reported_clearly(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(
        RoutingError, match=f"^{re.escape(f'routing file {path}: file not found')}$"
    ):
        load_routing(path)


def test_non_utf8_file_is_reported_clearly(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(VALID.encode("gbk"))
    with pytest.raises(RoutingError, match=f"^{re.escape(f'routing file {path}: not UTF-8 text')}"):
        load_routing(path)


def test_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(replaced("chat_id = -1003", "chat_id = 0"), encoding="utf-8")
    with pytest.raises(
        RoutingError, match=f"^{re.escape(f'routing file {path}: departments.a.water.chat_id:')}"
    ):
        load_routing(path)


# --- renamed codes ------------------------------------------------------------------------------


RENAMED = (
    VALID.replace('code = "a"\n', 'code = "a2"\nrenamed_from = ["a", "a-old"]\n')
    .replace('county = "a"\n', 'county = "a2"\n')
    .replace('[departments."a.water"]\n', '[departments."a2.water"]\nrenamed_from = ["a.water"]\n')
    .replace('department = "a.water"', 'department = "a2.water"')
    .replace('code = "a.hrss"\n', 'code = "a2.desk"\nrenamed_from = ["a.hrss"]\n')
)


def test_old_codes_lead_to_what_they_were_renamed_to() -> None:
    routing = parse_routing(RENAMED)
    county, old_county = routing.county("a2"), routing.county("a")
    assert county is not None and county is old_county is routing.county("a-old")
    assert routing.county_code("a") == "a2" and routing.county_code("b") == "b"
    assert routing.county_name("a", "en") == "County A"
    department = routing.department("a.water")
    assert department is not None and department.code == "a2.water"
    assert routing.department_name("a.water", "en") == "County A Water Bureau"
    point = routing.reception_point("a.hrss")
    assert point is not None and point.code == "a2.desk"
    assert routing.department_for("a", "water").code == "a2.water"
    assert routing.department_for("a", "construction").code == "a.hrss"
    assert routing.renamed.counties == {"a": "a2", "a-old": "a2"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            replaced(
                'fallback = "city.hrss"\n\n[[rules]]',
                'fallback = "city.hrss"\nrenamed_from = ["a"]\n\n[[rules]]',
            ),
            "counties[1].renamed_from[0]: county 'a' is still in the file under that code",
            id="renamed-from-a-code-still-there",
        ),
        pytest.param(
            RENAMED.replace(
                'fallback = "city.hrss"\n\n[[rules]]',
                'fallback = "city.hrss"\nrenamed_from = ["a-old"]\n\n[[rules]]',
            ),
            "counties[1].renamed_from[0]: county 'a-old' is already renamed in counties[0]",
            id="renamed-from-twice",
        ),
        pytest.param(
            replaced("deadline_days = 7\n", 'deadline_days = 7\nrenamed_from = ["A Water"]\n'),
            "departments.a.water.renamed_from[0]: invalid code 'A Water'",
            id="renamed-from-not-a-code",
        ),
        pytest.param(
            replaced("deadline_days = 7\n", 'deadline_days = 7\nrenamed_from = "a.wtr"\n'),
            "departments.a.water.renamed_from: expected an array",
            id="renamed-from-not-a-list",
        ),
    ],
)
def test_a_wrong_renamed_from_names_the_key(text: str, message: str) -> None:
    with pytest.raises(RoutingError) as caught:
        parse_routing(text, source="config/x.toml")
    assert str(caught.value).startswith(f"routing file config/x.toml: {message}")
