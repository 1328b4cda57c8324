"""The ports: what use cases may ask of the outside world, as narrow protocols.

``storage.repositories`` implements them over the database; ``tests.fakes`` in memory. The
runtime (``bot/``) opens the transaction, builds the ``Ports`` for it and hands them to the
handlers, so nothing under ``handlers/`` needs to know which implementation it was given.
"""

from dataclasses import dataclass

from handlers.ports_due import DueWriter
from handlers.ports_surveys import ReopenableCases, SurveyBook
from handlers.ports_visits import VisitBook

__all__ = ["Ports"]


@dataclass(frozen=True, slots=True)
class Ports:
    """Every port, for one unit of work (one transaction)."""

    due: DueWriter
    visits: VisitBook
    surveys: SurveyBook
    reopenable_cases: ReopenableCases
