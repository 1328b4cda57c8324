"""Taking a new routing file into use without breaking what was filed under the old one.

At every start (the bot, the console, the CLI commands that open the database), in one
transaction: codes the file renamed (``renamed_from``) are rewritten where they are stored,
the departments are mirrored, and then, if a code the file no longer lists (nor renames) is
still needed by an open case, a member of staff, an invite, a draft or a visit still ahead,
start-up is refused with one line that names the codes, the open cases and the fix, and
nothing is changed. Closed cases may keep any code: they are shown with the code as stored.
"""

from collections import Counter
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.case_card import OPEN_STATUSES
from handlers.report_arrears.flow import FLOW as REPORT_FLOW
from handlers.routing import Routing, RoutingError
from handlers.staff.case_forms import FLOW as CASE_FORM_FLOW
from storage.people import sync_departments
from storage.routing_changes import (
    CodeUse,
    apply_renames,
    codes_in_use,
    draft_codes,
    open_case_numbers,
)

__all__ = ["adopt_routing"]

CASES_NAMED = 5
"""Open cases named per orphaned code; the rest are counted."""


async def adopt_routing(session: AsyncSession, routing: Routing, now: datetime) -> None:
    """Bring the stored codes in step with ``routing``; RoutingError (one line) if the file
    dropped a code that is still in use. Raise inside the transaction, so it rolls back."""
    await apply_renames(
        session,
        counties=routing.renamed.counties,
        departments=routing.renamed.departments,
        reception_points=routing.renamed.reception_points,
    )
    await sync_departments(session, routing.departments.values())
    counties, departments, points = await codes_in_use(session, OPEN_STATUSES, now)
    counties.drafts = await draft_codes(session, REPORT_FLOW, ("answers", "county"))
    departments.drafts = await draft_codes(session, CASE_FORM_FLOW, ("values", "department"))
    orphans: list[str] = []
    first: str | None = None
    for kind, use, known in (
        ("county", counties, routing.county),
        ("department", departments, routing.department),
        ("reception point", points, routing.reception_point),
    ):
        for code in sorted(c for c in use.codes() if known(c) is None):
            first = first or code
            numbers = await _case_numbers(session, kind, code, use.open_cases[code])
            orphans.append(f"{kind} {code!r} ({_uses(use, code, numbers)})")
    if orphans:
        fix = (
            f'add renamed_from = ["{first}"] to the entry that replaces it (likewise for each'
            " code), or keep it in the file until nothing uses it"
        )
        raise RoutingError(
            f"routing file {routing.source}: still in use but no longer in the file: "
            f"{'; '.join(orphans)}. To keep them working, {fix}"
        )


async def _case_numbers(session: AsyncSession, kind: str, code: str, count: int) -> list[str]:
    if not count or kind == "reception point":
        return []
    where = {"county": code} if kind == "county" else {"department": code}
    return await open_case_numbers(session, OPEN_STATUSES, CASES_NAMED, **where)


def _uses(use: CodeUse, code: str, numbers: list[str]) -> str:
    """'2 open cases: DX-2026-000001, DX-2026-000002; 1 staff member' and so on."""
    parts: list[str] = []
    count = use.open_cases[code]
    if count:
        more = f" and {count - len(numbers)} more" if count > len(numbers) else ""
        parts.append(f"{_counted(count, 'open case', 'open cases')}: {', '.join(numbers)}{more}")
    others: list[tuple[Counter[str], str, str]] = [
        (use.staff, "staff member", "staff members"),
        (use.invites, "unused invite", "unused invites"),
        (use.drafts, "form in progress", "forms in progress"),
        (use.visits, "visit still ahead", "visits still ahead"),
    ]
    parts += [_counted(c[code], one, many) for c, one, many in others if c[code]]
    return "; ".join(parts)


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
