"""How a case reads to staff: the alert, the card behind /case, and the buttons on them.

One rendering serves every place a case is shown, so the status, owner and hard-case flag
are the same everywhere.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import callbacks
from handlers.context import Keyboard, Unit
from handlers.domain.cases import OPEN_STATUSES
from handlers.formatting import (
    N_,
    SECTOR_NAMES,
    STATUS_NAMES,
    department_name,
    file_counts,
    format_amount,
    format_date,
    format_month,
    format_voice,
    join_list,
)
from handlers.i18n import Translator, translator
from handlers.parsing import mask_phone
from handlers.replies import Button, EditMessage, SendMessage, escape
from storage.models import (
    Attachment,
    AttachmentRole,
    Case,
    Department,
    Staff,
    Worker,
)

__all__ = [
    "CASE",
    "HARD_REASONS",
    "OPEN_STATUSES",
    "OUTCOME_NAMES",
    "REJECTIONS",
    "RESOLUTIONS",
    "CaseView",
    "alert_ref",
    "case_buttons",
    "case_card",
    "load_case",
    "refresh_alert",
    "send_alert",
]

CASE = "case"
UNREACHABLE_LINE = N_("📵 The worker cannot be reached in chat — phone them.")
HARD_REASONS = {
    "amount": N_("large amount"),
    "workers": N_("many workers"),
    "long_owed": N_("owed for over a year"),
    "repeat_employer": N_("employer has several open cases"),
    "manual": N_("escalated by staff"),
    "overdue": N_("past its deadline"),
}


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    department: Department
    assignee: Staff | None
    evidence: Mapping[str, int]
    """How many evidence files of each kind (``photo``, ``document``, ``voice``, ``audio``)."""
    worker_unreachable: bool = False
    """The worker blocked the bot: notices are not sent to them (``handlers.notify``)."""
    story: tuple[int | None, ...] = ()
    """The length of each voice message (or recording) in which the worker told what
    happened."""

    @property
    def has_files(self) -> bool:
        return bool(self.story) or any(self.evidence.values())


async def load_case(session: AsyncSession, case_id: int, *, lock: bool = False) -> CaseView | None:
    """The case with what its card shows; ``lock`` holds it for this transaction's change."""
    statement = select(Case).where(col(Case.id) == case_id)
    if lock:
        statement = statement.with_for_update()
    case = (await session.exec(statement.execution_options(populate_existing=True))).first()
    if case is None:
        return None
    department = await session.get(Department, case.department_id)
    assert department is not None
    assignee = await session.get(Staff, case.assignee_id) if case.assignee_id else None
    files = (
        await session.exec(
            select(Attachment.kind, Attachment.role, Attachment.duration)
            .where(col(Attachment.case_id) == case_id)
            .order_by(col(Attachment.id))
        )
    ).all()
    evidence = Counter(kind for kind, role, _ in files if role == AttachmentRole.EVIDENCE)
    story = tuple(length for _, role, length in files if role == AttachmentRole.STORY)
    worker = await session.get(Worker, case.worker_id) if case.worker_id else None
    unreachable = worker is not None and worker.unreachable_since is not None
    return CaseView(case, department, assignee, evidence, unreachable, story)


def alert_ref(case: Case) -> str:
    """The alert in the case's current department's chat (a transfer sends a new one)."""
    return f"alert:{case.id}:{case.department_id}"


def case_card(unit: Unit, view: CaseView, _: Translator | None = None) -> str:
    """The full card; the worker's phone is masked (staff get it with the Contact button)."""
    _ = _ or translator(unit.config.default_language)
    case, zone = view.case, unit.config.zone
    county = unit.config.routing.county_name(case.county, _.language)
    if case.site_latitude is not None:
        site = f"{case.site_latitude:.5f}, {case.site_longitude:.5f}"
    else:
        site = escape(case.site_address or "—")
    status = _(STATUS_NAMES[case.status])
    head = "🔔 " + _("<b>Case {number}</b> · {status}").format(number=case.number, status=status)
    if case.hard:
        reasons = join_list((_(HARD_REASONS.get(r, r)) for r in case.hard_reasons), _)
        head += "\n🦴 " + _("Hard case: {reasons}").format(reasons=reasons)
    owner = escape(department_name(view.department, _.language))
    if view.assignee is not None:
        owner += " · " + escape(view.assignee.name)
    lines = [head, _("Handled by: {department}").format(department=owner)]
    if case.source == "reception":
        lines.append(_("Filed at a reception point by staff for a walk-in or phoned-in worker."))
    lines += [
        "",
        _("County: {county}").format(county=county),
        _("Kind of work: {sector}").format(sector=_(SECTOR_NAMES[case.sector])),
        _("Employer: {employer}").format(employer=escape(case.employer)),
        _("Project: {project}").format(project=escape(case.project)),
        _("Site: {site}").format(site=site),
        _("Amount owed: {amount}").format(amount=format_amount(case.amount_fen, _)),
        _("Workers owed: {n}").format(n=case.workers_owed),
        _("Owed since: {month}").format(month=format_month(case.owed_since, _)),
        _("Worker: {name}, {phone}").format(
            name=escape(case.reporter_name or "—"),
            phone=mask_phone(case.reporter_phone) if case.reporter_phone else "—",
        ),
        *([_(UNREACHABLE_LINE)] if view.worker_unreachable else []),
        _("Evidence: {files}").format(files=file_counts(view.evidence, _)),
        _("Deadline: {date}").format(date=format_date(case.deadline_at, zone)),
        "",
        "<b>" + _("What happened") + "</b>",
        *(format_voice(length, _) for length in view.story),
        *([escape(case.account)] if case.account else []),
    ]
    if case.outcome:
        lines += [
            "",
            _("Outcome: {outcome}").format(
                outcome=_(OUTCOME_NAMES.get(case.outcome, case.outcome))
            ),
        ]
    return "\n".join(lines)


RESOLUTIONS = {
    "paid_in_full": N_("paid in full"),
    "partly_paid": N_("partly paid"),
    "not_substantiated": N_("not substantiated"),
    "withdrawn": N_("withdrawn by the worker"),
    "duplicate": N_("duplicate of another case"),
}
REJECTIONS = {
    "not_wage_arrears": N_("not a wage arrears matter"),
    "outside_region": N_("outside our region"),
    "insufficient_information": N_("not enough information to act"),
    "duplicate": N_("duplicate of another case"),
}
OUTCOME_NAMES = RESOLUTIONS | REJECTIONS


def case_buttons(unit: Unit, view: CaseView, _: Translator | None = None) -> Keyboard:
    """The actions that make sense for the case as it is now; none once it is closed.
    📎 Evidence is there when the worker sent files."""
    _ = _ or translator(unit.config.default_language)
    case = view.case
    if case.status not in OPEN_STATUSES:
        return ()

    def button(label: str, verb: str) -> Button:
        return Button(label, callbacks.pack(CASE, case.id or 0, verb))

    first = [button(_("✋ Accept"), "accept")] if case.assignee_id is None else []
    rows: list[tuple[Button, ...]] = [
        (*first, button(_("📞 Contact"), "contact"), button(_("📝 Note"), "note")),
        (button(_("↪️ Transfer"), "transfer"), button(_("✅ Resolve"), "resolve")),
        (button(_("🚫 Reject"), "reject"),)
        + (() if case.escalated_at else (button(_("⬆️ Escalate"), "escalate"),)),
        (button(_("🤝 Consultation"), "consult"),)
        + ((button(_("📎 Evidence"), "evidence"),) if view.has_files else ()),
    ]
    return tuple(rows)


async def send_alert(unit: Unit, view: CaseView) -> None:
    unit.send(
        SendMessage(
            view.department.chat_id,
            case_card(unit, view),
            case_buttons(unit, view),
            ref=alert_ref(view.case),
        )
    )


async def refresh_alert(unit: Unit, view: CaseView) -> None:
    """Edit the department's alert to the case as it is now (status, owner, buttons)."""
    unit.send(
        EditMessage(
            view.department.chat_id,
            None,
            case_card(unit, view),
            case_buttons(unit, view),
            target_ref=alert_ref(view.case),
        )
    )
