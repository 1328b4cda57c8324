"""A small HTTP load balancer: the one webhook address in front of several bot instances.

Telegram delivers a bot's updates to a single URL; to run several instances behind it, that URL
is a reverse proxy. This one hands each request to the next instance in turn (round robin),
passing the secret-token header and the body through and the instance's answer back; an
instance that cannot be reached is skipped for that request (the next one gets it). It notes
which instance got each update, and of which chat, so a test can show the spread.
"""

import itertools
import json
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

__all__ = ["LoadBalancer"]

PASSED_HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


@dataclass
class LoadBalancer:
    backends: list[str]
    """Base URLs of the instances, e.g. ``http://127.0.0.1:8081``."""
    forwarded: Counter[str] = field(default_factory=Counter)
    unreachable: Counter[str] = field(default_factory=Counter)
    chats: dict[int, set[str]] = field(default_factory=dict)
    """Chat id → the instances that received its updates."""
    _turn: "itertools.count[int]" = field(default_factory=itertools.count)
    _runner: web.AppRunner | None = None
    _client: aiohttp.ClientSession | None = None
    url: str = ""

    async def start(self) -> str:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._client = aiohttp.ClientSession()
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k in PASSED_HEADERS if (v := request.headers.get(k)) is not None}
        first = next(self._turn)
        for offset in range(len(self.backends)):
            backend = self.backends[(first + offset) % len(self.backends)]
            try:
                async with self._client.request(
                    request.method,
                    backend + request.rel_url.path_qs,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=30),
                ) as answer:
                    payload = await answer.read()
                    self._note(backend, body)
                    return web.Response(
                        status=answer.status,
                        body=payload,
                        content_type=answer.content_type if payload else None,
                    )
            except aiohttp.ClientConnectionError:
                self.unreachable[backend] += 1
        return web.Response(status=502, text="no instance answered")

    def _note(self, backend: str, body: bytes) -> None:
        self.forwarded[backend] += 1
        try:
            update = json.loads(body)
        except ValueError:
            return
        for kind in ("message", "callback_query"):
            part = update.get(kind) if isinstance(update, dict) else None
            if isinstance(part, dict):
                message = part.get("message", part) if kind == "callback_query" else part
                chat = message.get("chat", {}).get("id")
                if isinstance(chat, int):
                    self.chats.setdefault(chat, set()).add(backend)
