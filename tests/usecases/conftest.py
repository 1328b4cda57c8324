"""Use cases on the in-memory ports: one case, in department 1 of Anding, received."""

import pytest

from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import a_case


@pytest.fixture
def cases() -> FakeCaseBook:
    book = FakeCaseBook()
    book.add(a_case())
    return book


@pytest.fixture
def trail() -> FakeCaseTrail:
    return FakeCaseTrail()
