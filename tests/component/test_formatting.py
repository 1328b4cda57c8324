"""How things shown together read in each language."""

from handlers.formatting import join_list
from handlers.i18n import translator


def test_a_chinese_list_uses_the_enumeration_comma_and_clauses_the_full_width_comma() -> None:
    items = ["金额大", "欠薪超过一年", "涉及人数多"]
    assert join_list(items, translator("zh")) == "金额大、欠薪超过一年、涉及人数多"
    party = join_list(["张伟", "0932-8000105"], translator("zh"), clauses=True)
    assert party == "张伟，0932-8000105"


def test_an_english_list_uses_a_comma_and_a_space() -> None:
    assert join_list(["large amount", "many workers"], translator("en")) == (
        "large amount, many workers"
    )
    assert join_list(["Zhang Wei", "0932"], translator("en"), clauses=True) == "Zhang Wei, 0932"
