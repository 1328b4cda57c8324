"""A worker on Telegram, as the fake Bot API lets a test play one."""

from tests.fake_bot_api import BotMessage, FakeBotAPI

__all__ = ["TelegramWorker"]

TIMEOUT = 15.0


class TelegramWorker:
    def __init__(
        self, fake: FakeBotAPI, user_id: int, first_name: str = "Wang", *, timeout: float = TIMEOUT
    ) -> None:
        self.fake = fake
        self.timeout = timeout
        """Seconds to wait for each answer (a benchmark saturating the bot waits longer)."""
        self.user = fake.user(user_id, first_name)
        self.chat_id = user_id

    async def say(self, text: str, expect: str) -> BotMessage:
        mark = self.fake.mark(self.chat_id)
        self.user.send_text(text)
        return await self.fake.wait_for_text(self.chat_id, expect, self.timeout, mark)

    async def press(self, label: str, expect: str) -> BotMessage:
        mark = self.fake.mark(self.chat_id)
        self.user.press(self.latest_with(label), label)
        return await self.fake.wait_for_text(self.chat_id, expect, self.timeout, mark)

    def latest_with(self, label: str) -> BotMessage:
        for message in reversed(self.fake.messages(self.chat_id)):
            if any(label == text for text, _ in message.buttons()):
                return message
        raise AssertionError(f"no message with a {label!r} button in chat {self.chat_id}")

    def button_with(self, fragment: str) -> str:
        """The full label of the latest button containing ``fragment`` (labels carry emoji)."""
        for message in reversed(self.fake.messages(self.chat_id)):
            for text, _ in message.buttons():
                if fragment in text:
                    return text
        raise AssertionError(f"no button containing {fragment!r} in chat {self.chat_id}")

    async def tap(self, fragment: str, expect: str) -> BotMessage:
        return await self.press(self.button_with(fragment), expect)

    async def begin_report(self) -> None:
        await self.say("/start", "language")
        await self.tap("English", "What would you like to do?")
        await self.tap("Report unpaid wages", "How your information is used")
        await self.tap("I agree", "What is your name?")

    async def answer_up_to_review(self) -> BotMessage:
        """Answer every question with a few typos on the way, ending at the review screen."""
        await self.answer_up_to_story()
        await self.say("We repaired 70 greenhouses.", "Do you have evidence")
        await self.tap("Skip", "Please check your report")
        await self.tap("Employer", "Who owes you")
        return await self.say("Xijiang Agricultural Co-op", "Please check your report")

    async def answer_up_to_story(self) -> BotMessage:
        """Answer the questions before "what happened", a few typos on the way."""
        await self.say("Wang Wu", "phone number")
        await self.say("138123", "not a valid phone number")
        await self.say("138 1234 5678", "Choose the county")
        await self.tap("Anding", "What kind of work")
        await self.tap("Construction", "Who owes you")
        await self.say("Xijiang Co-op", "What is the project called")
        await self.say("Greenhouse repair", "Where is the site")
        await self.say("Xijiang village", "How much are you owed")
        await self.say("lots", "could not read an amount")
        await self.say("19.5万", "How many workers")
        await self.tap("Just me", "Since when")
        return await self.say("2021年5月", "In a few sentences")
