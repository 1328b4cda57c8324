"""A bare aiogram echo bot: the yardstick the pipeline's throughput is compared with.

aiogram's own Dispatcher polling (handlers run as tasks, updates confirmed before they are
handled), one handler that answers each text with the same text: no database, no outbox, no
rate limiting. Reads ``BOT_TOKEN`` and ``BOT_API_BASE_URL`` like the bot; stops on SIGTERM.

    BOT_TOKEN=… BOT_API_BASE_URL=http://127.0.0.1:PORT python -m bench.echo_bot
"""

import asyncio
import os

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

router = Router()


@router.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "…")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_BASE_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=True)


if __name__ == "__main__":
    asyncio.run(main())
