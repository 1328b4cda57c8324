"""📎 Evidence on the alert and the case card: the case's files, sent privately to the presser.

Only those who may see the worker's contact may open the files (the rule of 📞 Contact, checked
by ``case_actions`` on the case row read afresh), and every view is on the audit trail. Each file
goes by Telegram's id with the case file store's copy beside it (``Kept``): the sender uploads
the copy when the id no longer works, and a file still being fetched goes by its id alone.
"""

from collections.abc import Sequence

from handlers.case_card import CaseView
from handlers.context import Context
from handlers.formatting import N_, format_voice
from handlers.i18n import Translator, translator
from handlers.replies import (
    MAX_GROUP,
    Kept,
    MediaItem,
    Outgoing,
    SendAudio,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SendVoice,
    escape,
)
from handlers.staff.actor import Actor
from storage.cases import add_case_event, case_attachments
from storage.models import Attachment, AttachmentRole, FetchStatus

__all__ = ["send_evidence"]

NOT_KEPT = {
    FetchStatus.REFUSED: N_("not kept in the case file (too large or of a type not accepted)"),
    FetchStatus.FAILED: N_("could not be downloaded into the case file"),
}
"""Why a file has no copy in the store; it is still sent by Telegram's id while that works."""


async def send_evidence(ctx: Context, actor: Actor, view: CaseView) -> None:
    """A header naming what is coming, then the files: photos as an album, the rest one by
    one as what they are (a voice message plays as one)."""
    case = view.case
    assert case.id is not None
    files = await case_attachments(ctx.session, case.id)
    if not files:
        ctx.answer(ctx._("The worker sent no files with this case."))
        return
    _ = translator(ctx.config.default_language)
    chat = actor.staff.chat_id if actor.staff else actor.user_id
    await add_case_event(
        ctx.session,
        case,
        actor=actor.label,
        kind="evidence_viewed",
        at=ctx.now,
        data={"files": len(files)},
    )
    ctx.send(SendMessage(chat, header(case.number, files, _), private=True))
    for message in messages(chat, files, _):
        ctx.send(message)
    ctx.answer(ctx._("I have sent you the evidence in a private message."))


def header(number: str, files: Sequence[Attachment], _: Translator) -> str:
    """ "Evidence for case …: 3 files; 1 still being fetched", and each file without a copy in
    the case file store, with the reason."""
    head = _.plural(
        "Evidence for case {number}: {n} file", "Evidence for case {number}: {n} files", len(files)
    ).format(number=number, n=len(files))
    pending = sum(f.fetch_status == FetchStatus.PENDING for f in files)
    if pending:
        head += _("; {n} still being fetched").format(n=pending)
    lines = [f"📎 <b>{head}</b>"]
    lines += [
        f"• {escape(name_of(f, _))}: {_(NOT_KEPT[FetchStatus(f.fetch_status)])}"
        for f in files
        if f.fetch_status in NOT_KEPT
    ]
    return "\n".join(lines)


def name_of(file: Attachment, _: Translator) -> str:
    if file.file_name:
        return file.file_name
    if file.kind in ("voice", "audio"):
        return format_voice(file.duration, _)
    return _("a photo") if file.kind == "photo" else _("a document")


def messages(chat: int, files: Sequence[Attachment], _: Translator) -> list[Outgoing]:
    """The worker's story told by voice first (captioned as such), then the photos as albums
    of up to ten, then documents and recordings in the order they came."""
    story = [f for f in files if f.role == AttachmentRole.STORY]
    evidence = [f for f in files if f.role != AttachmentRole.STORY]
    told = _("What happened, told by the worker")
    photos = [kept(f) for f in evidence if f.kind == "photo"]
    albums = [photos[i : i + MAX_GROUP] for i in range(0, len(photos), MAX_GROUP)]
    return [
        *(one(chat, f, told) for f in story),
        *(
            SendMediaGroup(chat, tuple(MediaItem("photo", p) for p in album))
            if len(album) > 1
            else SendPhoto(chat, album[0])
            for album in albums
        ),
        *(one(chat, f) for f in evidence if f.kind != "photo"),
    ]


def one(chat: int, file: Attachment, caption: str = "") -> Outgoing:
    """A file sent as what it is: a voice message plays as one, a recording with its player."""
    if file.kind == "voice":
        return SendVoice(chat, kept(file), caption)
    if file.kind == "audio":
        return SendAudio(chat, kept(file), caption)
    return SendDocument(chat, kept(file), caption)


def kept(file: Attachment) -> Kept:
    return Kept(file.file_id, file.stored_path, file.file_name)
