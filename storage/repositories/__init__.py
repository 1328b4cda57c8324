"""The database's implementations of ``handlers.ports``: one module per port, each returning
plain objects, never ORM rows that outlive the transaction."""

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.ports import Ports
from storage.repositories.case_book import SqlCaseBook
from storage.repositories.case_filing import SqlCaseFiling
from storage.repositories.case_trail import SqlCaseTrail
from storage.repositories.consultations import SqlConsultationBook
from storage.repositories.due import SqlDueWriter
from storage.repositories.staff_directory import SqlStaffDirectory
from storage.repositories.surveys import SqlSurveyBook
from storage.repositories.visits import SqlVisitBook

__all__ = ["ports"]


def ports(session: AsyncSession) -> Ports:
    """The ports of the transaction ``session`` belongs to."""
    return Ports(
        cases=SqlCaseBook(session),
        consultations=SqlConsultationBook(session),
        due=SqlDueWriter(session),
        filing=SqlCaseFiling(session),
        staff=SqlStaffDirectory(session),
        surveys=SqlSurveyBook(session),
        trail=SqlCaseTrail(session),
        visits=SqlVisitBook(session),
    )
