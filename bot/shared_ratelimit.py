"""Telegram's limits kept in Redis, so that several instances of the bot share one count.

Telegram counts per bot, not per process: two instances that each keep their own window
can together send twice the overall rate, two messages to one chat inside a second, and one
of them goes on sending while the other waits out a 429. Here every window and the pause live
in Redis, read and changed by one script at a time, on Redis's clock (the instances' clocks
need not agree).

The rules are those of ``bot.ratelimit``: sliding windows in Telegram's burst shape, and a
message holds its place while its request is in flight and for one window after it ends. A
place whose instance died mid-request counts as if its request had ended ``IN_FLIGHT_HOLD``
after it was taken.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.ratelimit import MARGIN, Limits, Shape

__all__ = ["RedisLimiter"]

log = logging.getLogger(__name__)

IN_FLIGHT_HOLD = 60.0
"""Seconds a place taken for a request is held at most before its end is known (longer than
any request the drivers let run)."""
RETRY_REDIS = 1.0
"""Seconds between tries while Redis cannot be reached: nothing is sent without a place."""
REDIS_TIMEOUT = 5.0
"""Seconds before a Redis that accepted the connection but does not answer counts as away."""

# Every time is in microseconds of Redis's clock, written with %.0f (Lua's default number
# format keeps 14 digits). KEYS[1] is the pause; KEYS[2] the overall window and KEYS[3] the
# chat's, each with (limit, period) in ARGV after the member name and the hold. Returns 0 once
# a place was taken in every window, else the microseconds to wait: for the pause or the
# overall window if either is full, else (negative) for the chat's own window.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function int(x) return string.format('%.0f', x) end
"""
_ACQUIRE = (
    _NOW
    + """
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused > now then return paused - now end
local member, hold = ARGV[1], tonumber(ARGV[2])
local waits = {}
for i = 2, #KEYS do
  local limit, period = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', int(now - period))
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = tonumber(redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')[2])
    waits[i] = math.max(math.min(oldest + period - now, period), 1000)
  end
end
if waits[2] then return waits[2] end
if waits[3] then return -waits[3] end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], int(now + hold), member)
  redis.call('PEXPIRE', KEYS[i], math.ceil((hold + tonumber(ARGV[2 * i])) / 1000) + 1000)
end
return 0
"""
)

# Is there room in one window (KEYS[1], limit and period in ARGV)? 0, else the microseconds to
# wait; takes no place.
_PEEK = (
    _NOW
    + """
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', int(now - period))
if redis.call('ZCARD', KEYS[1]) < limit then return 0 end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(math.min(oldest + period - now, period), 1000)
"""
)

# The request ended: its places count from now. KEYS are the windows, ARGV[1] the member.
_RELEASE = (
    _NOW
    + """
for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', int(now), ARGV[1]) end
return 0
"""
)

# A 429: nothing goes out for ARGV[1] microseconds from now (a longer pause already set stays).
_PAUSE = (
    _NOW
    + """
local untl = now + tonumber(ARGV[1])
if untl > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], int(untl), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
"""
)


class RedisLimiter:
    """The shared limiter; every instance of one bot must use the same Redis and ``prefix``."""

    def __init__(self, redis: Redis, limits: Limits, prefix: str) -> None:
        self._redis = redis
        self._limits = limits
        self._prefix = prefix
        self._acquire = redis.register_script(_ACQUIRE)
        self._peek = redis.register_script(_PEEK)
        self._release = redis.register_script(_RELEASE)
        self._pause = redis.register_script(_PAUSE)
        self._turn = asyncio.Lock()

    @classmethod
    def connect(cls, url: str, limits: Limits, prefix: str) -> "RedisLimiter":
        """Connects on first use, so a Redis that is down at start-up only delays sending."""
        redis = Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        return cls(redis, limits, prefix)

    async def pause(self, seconds: float) -> None:
        await self._run(self._pause, [self._key("pause")], [_micros(seconds)])

    async def aclose(self) -> None:
        await self._redis.aclose()

    async def ready(self, chat_id: int) -> None:
        limit, period = self._limits.for_chat(chat_id)
        keys = [self._key(f"chat:{chat_id}")]
        args: list[int | str] = [limit, _micros(period * MARGIN)]
        while (wait := await self._run(self._peek, keys, args)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait / 1_000_000)

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: int | None) -> AsyncIterator[None]:
        windows: list[tuple[str, Shape]] = []
        if chat_id is not None:
            windows = [
                (self._key("all"), self._limits.overall),
                (self._key(f"chat:{chat_id}"), self._limits.for_chat(chat_id)),
            ]
        member = uuid.uuid4().hex
        keys = [self._key("pause"), *(key for key, _ in windows)]
        args: list[int | str] = [member, _micros(IN_FLIGHT_HOLD)]
        for limit, period in (shape for _, shape in windows):
            args += [limit, _micros(period * MARGIN)]
        try:
            await self._take_places(keys, args)
            yield
        finally:
            # Also when cancelled while asking: Redis may have given the places already.
            if windows:
                await self._run(self._release, keys[1:], [member], attempts=3)

    async def _take_places(self, keys: list[str], args: list[int | str]) -> None:
        """Waiting out time, not an event: the other instances cannot wake this one.

        One message of this instance at a time asks while the pause or the overall window
        holds everyone (rather than every waiting one asking Redis each time a place frees);
        a message waiting only for its own chat's window lets the others go first. Calls that
        are not messages wait for the pause alone.
        """
        turn = self._turn if len(keys) > 1 else contextlib.nullcontext()
        while True:
            async with turn:
                while (wait := await self._run(self._acquire, keys, args)) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait / 1_000_000)
            if wait == 0:
                return
            await asyncio.sleep(-wait / 1_000_000)

    async def _run(
        self, script: AsyncScript, keys: list[str], args: list[int | str], *, attempts: int = 0
    ) -> int:
        """Run a script, waiting out a Redis outage (``attempts`` > 0: give up after so many;
        the place then lapses after ``IN_FLIGHT_HOLD``)."""
        tried = 0
        while True:
            try:
                return int(await script(keys=keys, args=args))
            except (RedisError, OSError) as error:
                tried += 1
                if attempts and tried >= attempts:
                    log.warning("could not reach Redis to free a sending place: %s", error)
                    return 0
                log.warning("Redis is unreachable; sending waits for it: %s", error)
                await asyncio.sleep(RETRY_REDIS)

    def _key(self, name: str) -> str:
        """Braces keep one bot's keys in one Redis Cluster slot, as a script needs."""
        return f"{{{self._prefix}}}:{name}"


def _micros(seconds: float) -> int:
    return max(1, round(seconds * 1_000_000))
