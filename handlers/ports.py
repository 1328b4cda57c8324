"""The ports: what use cases may ask of the outside world, as narrow protocols.

``storage.repositories`` implements them over the database; ``tests.fakes`` in memory. The
runtime (``bot/``) opens the transaction, builds the ``Ports`` for it and hands them to the
handlers, so nothing under ``handlers/`` needs to know which implementation it was given.
"""

from dataclasses import dataclass

from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.ports_consultations import ConsultationBook
from handlers.ports_due import DueWriter
from handlers.ports_filing import CaseFiling
from handlers.ports_staff import StaffDirectory
from handlers.ports_surveys import SurveyBook
from handlers.ports_visits import VisitBook

__all__ = ["Ports"]


@dataclass(frozen=True, slots=True)
class Ports:
    """Every port, for one unit of work (one transaction)."""

    cases: CaseBook
    consultations: ConsultationBook
    due: DueWriter
    filing: CaseFiling
    staff: StaffDirectory
    trail: CaseTrail
    surveys: SurveyBook
    visits: VisitBook
