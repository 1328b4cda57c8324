"""The worker's report, as the handlers see it: every question, every way of getting it wrong."""

from datetime import timedelta

import pytest
from sqlmodel import select

from handlers import HandlerConfig
from handlers.i18n import translator
from storage.db import Database
from storage.models import Attachment, Case, CaseEvent, CaseStatus, Conversation
from tests.support.chat import WorkerChat, complete_report
from tests.support.clock import FakeClock


@pytest.fixture
def chat(db: Database, config: HandlerConfig, clock: FakeClock) -> WorkerChat:
    return WorkerChat(db, config, clock)


async def cases_of(db: Database) -> list[Case]:
    async with db.reader() as session:
        return list((await session.exec(select(Case).order_by(Case.id))).all())


async def start_report(chat: WorkerChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.begin_report()


async def test_worker_completes_a_report_and_the_department_is_alerted(
    chat: WorkerChat, db: Database, clock: FakeClock
) -> None:
    await complete_report(chat)

    (case,) = await cases_of(db)
    assert case.number == "DX-2026-000001"
    assert case.status == CaseStatus.RECEIVED
    assert case.amount_fen == 195_000_00
    assert case.workers_owed == 12
    assert case.owed_since.isoformat() == "2022-05-01"
    assert case.reporter_phone == "+8613812345678"
    assert case.deadline_at == clock.now() + timedelta(days=15)
    assert "DX-2026-000001" in chat.last.text
    assert "Housing" in chat.last.text
    assert "2026-12-11" in chat.last.text
    (alert,) = [m for m in chat.others if m.chat_id == -1001000000101]
    assert alert.ref == f"alert:{case.id}:{case.department_id}"
    for expected in (
        "DX-2026-000001",
        "138****5678",
        "Xijiang Agricultural Co-op",
        "70 greenhouses",
    ):
        assert expected in alert.text
    assert "13812345678" not in alert.text


async def test_case_creation_is_recorded_in_the_audit_trail(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, amount="5万", workers="3", since="2026-03")
    async with db.reader() as session:
        (event,) = (await session.exec(select(CaseEvent))).all()
    assert event.kind == "created"
    assert event.actor == "worker:501"


async def test_first_start_asks_for_a_language_and_remembers_it(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = WorkerChat(db, config, clock)
    await chat.send("/start")
    assert chat.button_labels() == ["中文", "English"]
    await chat.press("English")
    await chat.send("/start")
    assert "What would you like to do?" in chat.last.text


async def test_case_numbers_follow_each_other(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat)
    await complete_report(chat, employer="Another boss")
    assert [c.number for c in await cases_of(db)] == ["DX-2026-000001", "DX-2026-000002"]


async def test_routing_follows_county_and_sector(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, county="Tongwei", sector="Transport")
    (case,) = await cases_of(db)
    assert (case.county, case.sector) == ("tongwei", "transport")
    assert chat.others[0].chat_id != -1001000000101


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("195000", 195_000_00),
        ("19.5万", 195_000_00),
        ("19万5千", 195_000_00),
        ("十九万五千元", 195_000_00),
        ("¥195,000", 195_000_00),
        ("195,000元", 195_000_00),
    ],
)
async def test_amount_is_understood_in_everyday_forms(
    chat: WorkerChat, db: Database, typed: str, fen: int
) -> None:
    await complete_report(chat, amount=typed)
    (case,) = await cases_of(db)
    assert case.amount_fen == fen


@pytest.mark.parametrize(
    ("typed", "explanation"),
    [
        ("0", "more than zero"),
        ("-5000", "cannot be negative"),
        ("200000000", "too large"),
        ("a lot", "could not read an amount"),
    ],
)
async def test_bad_amount_is_explained_and_earlier_answers_are_kept(
    chat: WorkerChat, typed: str, explanation: str
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Amount owed")
    await chat.send(typed)
    assert explanation in chat.last.text
    assert "How much are you owed" in chat.last.text
    await chat.send("195000")
    assert "Please check your report" in chat.last.text
    assert "Wang Wu" in chat.last.text


async def test_phone_can_be_shared_with_the_contact_button(chat: WorkerChat, db: Database) -> None:
    await start_report(chat)
    await chat.send("Wang Wu")
    assert chat.last.keyboard is not None
    assert chat.last.keyboard.rows[0][0].request_contact
    await chat.share_contact("+86 139 1234 5678")
    assert chat.messages[-2].remove_keyboard
    assert "county" in chat.last.text


async def test_a_number_where_a_name_is_expected_is_refused(chat: WorkerChat) -> None:
    await start_report(chat)
    await chat.send("12345")
    assert "does not look like a name" in chat.last.text
    assert "What is your name?" in chat.last.text


@pytest.mark.parametrize("step_index", range(12))
@pytest.mark.parametrize("kind", ["sticker", "video note", "long text"])
async def test_unexpected_input_at_any_step_is_explained_and_nothing_is_lost(
    chat: WorkerChat, db: Database, step_index: int, kind: str
) -> None:
    from handlers.events import EventKind
    from handlers.report_arrears.steps import STEPS

    await complete_report(chat, submit=False)
    label = STEPS[step_index].label
    await chat.press(f"✏️ {label}")
    question = chat.last.text
    before = await conversation(db)
    if kind == "long text":
        await chat.send("x" * 4000)
    else:
        await chat.event(EventKind.STICKER if kind == "sticker" else EventKind.VIDEO_NOTE)
    assert chat.last.text.startswith("⚠️")
    assert question.split("\n")[-1] in chat.last.text
    after = await conversation(db)
    assert after.data["answers"] == before.data["answers"]
    assert after.step == before.step


async def conversation(db: Database) -> Conversation:
    async with db.reader() as session:
        return (await session.exec(select(Conversation))).one()


async def test_back_returns_to_the_previous_question_keeping_answers(
    chat: WorkerChat, db: Database
) -> None:
    await start_report(chat)
    await chat.send("Wang Wu")
    await chat.send("13812345678")
    await chat.press("Back")
    assert "phone number" in chat.last.text
    await chat.send("« Back")
    assert "What is your name?" in chat.last.text
    assert (await conversation(db)).data["answers"]["phone"] == "+8613812345678"


async def test_review_edit_changes_one_field_and_returns_to_review(
    chat: WorkerChat, db: Database
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Employer")
    await chat.send("Boss Li")
    assert "Please check your report" in chat.last.text
    assert "Boss Li" in chat.last.text
    await chat.press("Submit report")
    (case,) = await cases_of(db)
    assert case.employer == "Boss Li"
    assert case.project == "Greenhouse repair"


async def test_cancel_asks_before_discarding(chat: WorkerChat, db: Database) -> None:
    await start_report(chat)
    await chat.send("Wang Wu")
    await chat.send("/cancel")
    assert "Discard this report?" in chat.last.text
    await chat.press("No, continue")
    assert "phone number" in chat.last.text
    assert (await conversation(db)).data["answers"]["name"] == "Wang Wu"
    await chat.send("✖ Cancel")
    await chat.press("Yes, discard")
    assert (await conversation(db)).flow is None
    assert await cases_of(db) == []


async def test_stale_button_changes_nothing(chat: WorkerChat, db: Database) -> None:
    await start_report(chat)
    await chat.send("Wang Wu")
    await chat.send("13812345678")
    await chat.press("Anding")
    before = await conversation(db)
    await chat.press("Tongwei")
    assert "already answered" in (chat.answers[-1].text or "")
    after = await conversation(db)
    assert (after.step, after.data) == (before.step, before.data)


async def test_forged_button_data_is_refused_politely(chat: WorkerChat, db: Database) -> None:
    await start_report(chat)
    before = await conversation(db)
    for data in ("in:name:" + "x" * 80, "m:nonsense", "lang:xx", "garbage", ":::"):
        await chat.press_data(data)
    after = await conversation(db)
    assert (after.step, after.data) == (before.step, before.data)
    assert all(answer.callback_id for answer in chat.answers)


async def test_owed_since_offers_years_then_months_and_refuses_the_future(
    chat: WorkerChat, db: Database
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Owed since")
    await chat.press("2026")
    assert "Which month of 2026?" in chat.last.text
    assert chat.button_labels()[-3:] == ["11", "« Back", "✖ Cancel"]
    await chat.send("2027-01")
    assert "in the future" in chat.last.text
    await chat.send("2021年5月")
    await chat.press("Submit report")
    (case,) = await cases_of(db)
    assert case.owed_since.isoformat() == "2021-05-01"


async def test_forged_year_buttons_ask_the_question_again(chat: WorkerChat, db: Database) -> None:
    """A Unicode digit (``²``) passed ``str.isdigit`` and then failed ``int``: the press was
    answered with an apology instead of the question."""
    await complete_report(chat, submit=False)
    await chat.press("Owed since")
    for year in ("²", "2027", "0", "-1", "9" * 55, ""):
        await chat.press_data(f"in:since:y{year}")
        assert "Since when have the wages been owed?" in chat.last.text, year
    await chat.press("2026")
    assert "Which month of 2026?" in chat.last.text


async def test_site_accepts_a_location_pin(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Site")
    await chat.send_location(35.58, 104.62)
    await chat.press("Submit report")
    (case,) = await cases_of(db)
    assert (case.site_latitude, case.site_longitude, case.site_address) == (35.58, 104.62, None)


async def test_evidence_takes_up_to_ten_files(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Evidence")
    for _ in range(10):
        await chat.send_photo()
    assert "Please check your report" in chat.last.text
    await chat.send_document()
    assert "Please use the buttons" in chat.last.text
    await chat.press("Submit report")
    async with db.reader() as session:
        assert len((await session.exec(select(Attachment))).all()) == 10
    alert = chat.others[-1].text
    assert (
        translator(chat.config.default_language).plural("{n} photo", "{n} photos", 10).format(n=10)
        in alert
    )


async def test_county_can_be_typed(chat: WorkerChat, db: Database) -> None:
    await start_report(chat)
    await chat.send("Wang Wu")
    await chat.send("13812345678")
    await chat.send("渭源")
    assert "kind of work" in chat.last.text


async def test_my_cases_shows_only_the_workers_own_cases(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    mine = WorkerChat(db, config, clock, user_id=601)
    theirs = WorkerChat(db, config, clock, user_id=602)
    await complete_report(mine, employer="Mine Ltd")
    await complete_report(theirs, employer="Theirs Ltd")
    await mine.send("/mycases")
    assert "Mine Ltd" in mine.last.text
    assert "Theirs Ltd" not in mine.last.text
    assert "DX-2026-000002" not in mine.last.text


async def test_daily_case_limit_is_enforced_with_a_clear_message(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    from dataclasses import replace

    chat = WorkerChat(db, replace(config, daily_case_limit=2), clock)
    await complete_report(chat)
    await complete_report(chat)
    await chat.press("Report unpaid wages")
    assert "already filed 2 reports today" in chat.last.text
    clock.advance(days=1)
    await chat.press("Report unpaid wages")
    assert "What is your name?" in chat.last.text


async def test_worker_resumes_the_report_after_a_restart(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    before = WorkerChat(db, config, clock)
    await start_report(before)
    await before.send("Wang Wu")
    await before.send("13812345678")
    after = WorkerChat(db, config, clock)
    await after.send("/start")
    assert "Continue my report" in after.button_labels()[0]
    await after.press("Continue my report")
    assert "Where is the work site?" in after.last.text
    await after.press("Anding")
    assert (await conversation(db)).data["answers"]["phone"] == "+8613812345678"


async def test_typed_markup_is_shown_as_text_not_formatting(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, employer="<b>Boss</b> & Sons")
    assert "&lt;b&gt;Boss&lt;/b&gt; &amp; Sons" in chat.others[0].text


# --- each question explains its own bad answers ---------------------------------------------


@pytest.mark.parametrize("typed", ["a few", "几个", "好几个", "several"])
async def test_a_vague_number_of_workers_is_explained_as_a_number_of_workers(
    chat: WorkerChat, typed: str
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Workers owed")
    await chat.send(typed)
    assert "Please give the number of workers as a number, e.g. 3" in chat.last.text
    assert "amount" not in chat.last.text
    assert "How many workers are owed" in chat.last.text


@pytest.mark.parametrize(
    ("field", "typed", "explanation"),
    [
        ("Name", "12345", "does not look like a name"),
        ("Name", "x" * 60, "under 50 characters (you sent 60)"),
        ("Phone", "123", "not a valid phone number"),
        ("Amount owed", "a lot", "could not read an amount"),
        ("Amount owed", "0", "more than zero"),
        ("Workers owed", "2.5", "whole number of people"),
        ("Workers owed", "0", "more than zero"),
        ("Workers owed", "20000", "At most 10,000 workers"),
        ("Owed since", "sometime", "could not read a month"),
        ("Owed since", "2027-01", "in the future"),
        ("Owed since", "1970-01", "too long ago"),
        ("Employer", "x" * 300, "under 200 characters (you sent 300)"),
        ("Site", "x" * 301, "under 300 characters (you sent 301)"),
    ],
)
async def test_each_question_explains_a_bad_answer_in_its_own_terms(
    chat: WorkerChat, field: str, typed: str, explanation: str
) -> None:
    await complete_report(chat, submit=False)
    await chat.press(field)
    await chat.send(typed)
    assert explanation in chat.last.text
    assert "I could not understand that" not in chat.last.text


async def test_a_chinese_worker_is_told_to_give_the_number_of_workers(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = WorkerChat(db, config, clock)
    await chat.send("/start")
    await chat.press("中文")
    await chat.begin_report("投诉欠薪")
    for answer in ("王五", "13812345678"):
        await chat.send(answer)
    await chat.press("安定区")
    await chat.press("建筑工程")
    for answer in ("西江合作社", "大棚维修", "西江村", "19.5万", "好几个"):
        await chat.send(answer)
    assert "请填写具体人数，用数字，比如 3" in chat.last.text
    assert "金额" not in chat.last.text


# --- Back goes to the screen the worker saw before -------------------------------------------


async def reach_since(chat: WorkerChat) -> None:
    await start_report(chat)
    for answer in ("Wang Wu", "13812345678"):
        await chat.send(answer)
    await chat.press("Anding")
    await chat.press("Construction")
    for answer in ("Xijiang Co-op", "Greenhouse repair", "Xijiang village", "19.5万", "12"):
        await chat.send(answer)


async def test_back_from_the_month_list_returns_to_the_year_list(
    chat: WorkerChat, db: Database
) -> None:
    await reach_since(chat)
    await chat.press("2025")
    assert "Which month of 2025?" in chat.last.text
    await chat.press("Back")
    assert "Since when have the wages been owed?" in chat.last.text
    assert "2024" in chat.button_labels()
    after = await conversation(db)
    assert after.step == "since" and after.data["answers"]["workers"] == 12
    await chat.press("Back")
    assert "How many workers are owed" in chat.last.text
    assert "Current answer: 12" in chat.last.text


async def test_back_from_the_review_returns_to_the_question_it_was_reached_from(
    chat: WorkerChat, db: Database
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Employer")
    await chat.send("Boss Li")
    await chat.press("Back")
    assert "Who owes you the wages?" in chat.last.text
    assert "Current answer: Boss Li" in chat.last.text
    await chat.press("Back")
    assert "Please check your report" in chat.last.text
    await chat.press("Back")
    assert "Who owes you the wages?" in chat.last.text
    assert (await conversation(db)).data["answers"]["employer"] == "Boss Li"


async def test_back_from_a_review_reached_in_order_returns_to_the_last_question(
    chat: WorkerChat,
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Back")
    assert "Do you have evidence?" in chat.last.text
    await chat.press("Skip")
    assert "Please check your report" in chat.last.text


# --- a question asked again shows the answer already given ----------------------------------


async def test_a_question_asked_again_shows_its_answer_and_keeps_it_on_request(
    chat: WorkerChat, db: Database
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Workers owed")
    assert "Current answer: 12" in chat.last.text
    await chat.press("Keep current answer")
    assert "Please check your report" in chat.last.text
    assert (await conversation(db)).data["answers"]["workers"] == 12


async def test_back_to_a_question_with_a_reply_keyboard_offers_to_keep_the_answer(
    chat: WorkerChat, db: Database
) -> None:
    await start_report(chat)
    await chat.send("Wang Wu")
    await chat.send("13812345678")
    await chat.press("Back")
    assert "Current answer: 138 1234 5678" in chat.last.text
    assert chat.last.keyboard is not None
    assert chat.last.keyboard.rows[0][0].text == "✔ Keep current answer"
    await chat.send("✔ Keep current answer")
    assert chat.messages[-2].remove_keyboard
    assert "Kept: 138 1234 5678" in chat.messages[-2].text
    assert "Where is the work site?" in chat.last.text
    assert (await conversation(db)).data["answers"]["phone"] == "+8613812345678"


async def test_a_new_answer_replaces_the_current_one(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, submit=False)
    await chat.press("Workers owed")
    await chat.send("3人")
    assert "Workers owed:</b> 3" in chat.last.text
    assert (await conversation(db)).data["answers"]["workers"] == 3


async def test_the_current_answer_is_shown_in_chinese_too(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = WorkerChat(db, config, clock)
    await chat.send("/start")
    await chat.press("中文")
    await chat.begin_report("投诉欠薪")
    await chat.send("王五")
    await chat.send("13812345678")
    await chat.press("返回")
    assert "现在的答案：138 1234 5678" in chat.last.text
    assert chat.last.keyboard is not None
    assert chat.last.keyboard.rows[0][0].text == "✔ 保留现在的答案"


# --- how a worker's own details read ----------------------------------------------------------


async def test_the_review_shows_the_phone_as_chinese_users_write_it(chat: WorkerChat) -> None:
    await complete_report(chat, submit=False)
    assert "Phone:</b> 138 1234 5678" in chat.last.text
    assert "+86" not in chat.last.text
    assert any("Phone number saved: 138 1234 5678" in m.text for m in chat.messages)


async def test_lists_in_chinese_are_joined_with_the_enumeration_comma(
    chat: WorkerChat,
) -> None:
    await complete_report(chat, amount="19.5万", workers="12", since="2022-05")
    (hard,) = [line for line in chat.others[0].text.splitlines() if "骨头案" in line]
    assert "、" in hard and "," not in hard
