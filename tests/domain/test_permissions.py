"""Who may act on, see and comment on a case, and who may press its alert's buttons."""

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed
from handlers.domain.permissions import (
    Actor,
    can_act,
    ensure_admin,
    ensure_can_comment,
    ensure_can_press,
    ensure_can_view,
    ensure_staff,
)
from tests.fakes.people import OTHER, a_case, admin, handler, lead, stranger, supervisor

CASE = a_case()


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (handler(), True),
        (handler(OTHER), False),
        (lead("anding"), True),
        (lead(None), True),
        (lead("tongwei"), False),
        (supervisor(), False),
        (admin(), True),
        (stranger(), False),
    ],
    ids=[
        "handler of its department",
        "handler of another department",
        "lead of its county",
        "lead of the city",
        "lead of another county",
        "supervisor",
        "admin",
        "stranger",
    ],
)
def test_the_department_its_leads_and_admins_may_act(actor: Actor, allowed: bool) -> None:
    assert can_act(actor, CASE) is allowed


def test_a_supervisor_sees_and_comments_on_every_case_but_changes_none() -> None:
    ensure_can_view(supervisor(), CASE)
    ensure_can_comment(supervisor(), CASE)
    ensure_can_press(supervisor(), CASE, "note")
    with pytest.raises(NotAllowed):
        ensure_can_press(supervisor(), CASE, "accept")


def test_other_staff_may_not_see_a_case() -> None:
    with pytest.raises(NotAllowed) as refused:
        ensure_can_view(handler(OTHER), CASE)
    assert refused.value.message == "You can only see your own department's cases."


def test_a_press_on_a_closed_case_is_refused_after_the_right_to_act() -> None:
    closed = a_case(status=CaseStatus.RESOLVED)
    with pytest.raises(NotAllowed):
        ensure_can_press(stranger(), closed, "accept")
    with pytest.raises(CaseClosed):
        ensure_can_press(handler(), closed, "accept")


def test_staff_only_and_admin_only_doors() -> None:
    ensure_staff(handler())
    ensure_staff(admin())
    with pytest.raises(NotAllowed):
        ensure_staff(stranger())
    ensure_admin(admin())
    with pytest.raises(NotAllowed):
        ensure_admin(handler())


def test_the_trail_names_staff_by_staff_id_and_others_by_telegram_user() -> None:
    assert handler().label == "staff:1"
    assert admin().label == "admin:906"
    assert stranger().label == "user:777"
