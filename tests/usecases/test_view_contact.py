"""The worker's contact: for those who may act on the open case, and every view recorded."""

from dataclasses import replace

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed
from handlers.domain.ids import CaseId
from handlers.usecases.view_contact import ContactRequest, view_contact
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import FILED, handler, supervisor

ASKED = ContactRequest(CaseId(1), FILED)


async def test_the_contact_is_given_and_the_view_recorded(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    shown = await view_contact(handler(), ASKED, cases=cases, trail=trail)
    assert (shown.name, shown.phone) == ("Wang Wu", "+8613812345678")
    (event,) = trail.events
    assert (event.actor, event.kind, event.data) == ("staff:1", "contact_viewed", {})


async def test_a_supervisor_does_not_get_it(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    with pytest.raises(NotAllowed):
        await view_contact(supervisor(), ASKED, cases=cases, trail=trail)
    assert trail.events == []


async def test_not_once_the_case_is_closed(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CaseId(1)], status=CaseStatus.RESOLVED))
    with pytest.raises(CaseClosed):
        await view_contact(handler(), ASKED, cases=cases, trail=trail)
    assert trail.events == []
