"""The database's implementations of ``handlers.ports``: one module per port, each returning
plain objects, never ORM rows that outlive the transaction."""

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.ports import Ports
from storage.repositories.due import SqlDueWriter
from storage.repositories.surveys import SqlReopenableCases, SqlSurveyBook
from storage.repositories.visits import SqlVisitBook

__all__ = ["ports"]


def ports(session: AsyncSession) -> Ports:
    """The ports of the transaction ``session`` belongs to."""
    return Ports(
        due=SqlDueWriter(session),
        visits=SqlVisitBook(session),
        surveys=SqlSurveyBook(session),
        reopenable_cases=SqlReopenableCases(session),
    )
