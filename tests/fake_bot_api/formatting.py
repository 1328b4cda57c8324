"""Parsing of formatted message text (HTML, MarkdownV2, legacy Markdown) into text + entities.

Telegram rejects a whole message when its markup is malformed ("can't parse entities"), and it
measures length limits on the text *after* markup is removed. A bot that interpolates user input
into HTML without escaping it only fails in production, so the fake parses strictly and reports
the same kind of error. Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

Entity = dict[str, Any]


@dataclass
class ParsedText:
    """Plain text as the recipient sees it, plus its formatting entities."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram counts entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _parse_error(source: str, index: int, message: str) -> ApiError:
    return ApiError.bad_request(
        f"can't parse entities: {message} at byte offset {_byte_offset(source, index)}"
    )


class _Output:
    """Accumulates visible text and tracks the current UTF-16 position."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        if text:
            self.pieces.append(text)
            self.pos += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> ParsedText:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.pieces), entities)


# --- HTML -----------------------------------------------------------------------------------

_HTML_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_CHARS = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME_CHARS = re.compile(r"[A-Za-z0-9_-]*")
_MAX_ENTITY_NAME = 10


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    index: int


def _decode_html_entity(source: str, index: int, *, strict: bool) -> tuple[str, int]:
    """Decode the ``&...;`` at ``index``; return (text, next index)."""
    end = source.find(";", index + 1, index + 2 + _MAX_ENTITY_NAME)
    name = source[index + 1 : end] if end != -1 else ""
    char: str | None = None
    if name in _HTML_NAMED:
        char = _HTML_NAMED[name]
    elif re.fullmatch(r"#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,6}", name):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            char = chr(code)
    if char is not None:
        return char, end + 1
    if strict:
        if end == -1 or not name:
            raise _parse_error(source, index, 'character "&" must be escaped as "&amp;"')
        raise _parse_error(source, index, f'unsupported HTML entity "&{name};"')
    return "&", index + 1


def _decode_attr(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            text, i = _decode_html_entity(raw, i, strict=False)
            out.append(text)
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram's HTML subset, raising a 400 like Telegram on malformed markup."""
    out = _Output()
    stack: list[_OpenTag] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            text, i = _decode_html_entity(source, i, strict=True)
            out.add(text)
        elif ch == "<" and source.startswith("</", i):
            i = _html_end_tag(source, i, stack, out)
        elif ch == "<":
            i = _html_start_tag(source, i, stack, out)
        else:
            nxt = min((j for j in (source.find("<", i), source.find("&", i)) if j != -1), default=n)
            out.add(source[i:nxt])
            i = nxt
    if stack:
        tag = stack[-1]
        raise _parse_error(
            source, tag.index, f'can\'t find end tag corresponding to start tag "{tag.name}"'
        )
    return out.result()


def _skip_spaces(source: str, i: int) -> int:
    while i < len(source) and source[i].isspace():
        i += 1
    return i


def _html_start_tag(source: str, index: int, stack: list[_OpenTag], out: _Output) -> int:
    name_match = _TAG_NAME_CHARS.match(source, index + 1)
    assert name_match is not None  # the pattern matches the empty string
    name = name_match.group().lower()
    if name not in _HTML_TAG_ENTITY:
        raise _parse_error(source, index, f'unsupported start tag "{name}"')
    i = name_match.end()
    attrs: dict[str, str] = {}
    while True:
        i = _skip_spaces(source, i)
        if i >= len(source):
            raise _parse_error(source, index, "unclosed start tag")
        if source[i] == ">":
            i += 1
            break
        attr_match = _ATTR_NAME_CHARS.match(source, i)
        assert attr_match is not None
        attr = attr_match.group().lower()
        if not attr:
            raise _parse_error(source, i, f'empty attribute name in the tag "{name}"')
        i = _skip_spaces(source, attr_match.end())
        value = ""
        if i < len(source) and source[i] == "=":
            i = _skip_spaces(source, i + 1)
            if i >= len(source):
                raise _parse_error(source, index, "unclosed start tag")
            if source[i] in "\"'":
                close = source.find(source[i], i + 1)
                if close == -1:
                    raise _parse_error(source, index, "unclosed start tag")
                value = _decode_attr(source[i + 1 : close])
                i = close + 1
            else:
                end = i
                while end < len(source) and not source[end].isspace() and source[end] != ">":
                    end += 1
                value = _decode_attr(source[i:end])
                i = end
        attrs[attr] = value
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _parse_error(source, index, 'tag "span" must have class "tg-spoiler"')
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise _parse_error(source, index, 'tag "tg-emoji" must have attribute "emoji-id"')
    stack.append(_OpenTag(name, out.pos, attrs, index))
    return i


def _html_end_tag(source: str, index: int, stack: list[_OpenTag], out: _Output) -> int:
    close = source.find(">", index)
    if close == -1:
        raise _parse_error(source, index, "unclosed end tag")
    name = source[index + 2 : close].strip().lower()
    if not stack:
        raise _parse_error(source, index, f'unexpected end tag "{name}"')
    tag = stack[-1]
    if tag.name != name:
        raise _parse_error(
            source, index, f'unmatched end tag, expected "</{tag.name}>", found "</{name}>"'
        )
    stack.pop()
    kind = _HTML_TAG_ENTITY[name]
    language = tag.attrs.get("class", "")
    if name == "code" and stack and stack[-1].name == "pre" and language.startswith("language-"):
        stack[-1].attrs["_language"] = language.removeprefix("language-")
    elif name == "pre" and tag.attrs.get("_language"):
        out.entity("pre", tag.start, language=tag.attrs["_language"])
    elif name == "a":
        href = tag.attrs.get("href", "")
        if href:
            out.entity(kind, tag.start, url=href)
    elif name == "tg-emoji":
        out.entity(kind, tag.start, custom_emoji_id=tag.attrs["emoji-id"])
    elif name == "blockquote" and "expandable" in tag.attrs:
        out.entity("expandable_blockquote", tag.start)
    else:
        out.entity(kind, tag.start)
    return close + 1


# --- MarkdownV2 -------------------------------------------------------------------------------

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


@dataclass
class _OpenMark:
    kind: str
    marker: str
    start: int
    index: int


def parse_markdown_v2(source: str) -> ParsedText:
    """Parse MarkdownV2: reserved characters outside entities must be escaped with ``\\``."""
    out = _Output()
    stack: list[_OpenMark] = []
    quote_start: int | None = None
    line_start = True
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if line_start and ch == ">":
            if quote_start is None:
                quote_start = out.pos
            i += 1
            line_start = False
            continue
        if line_start and quote_start is not None:
            out.entity("blockquote", quote_start)
            quote_start = None
        line_start = False
        if ch == "\\":
            if i + 1 < n and 0 < ord(source[i + 1]) <= 126:
                out.add(source[i + 1])
                i += 2
            else:
                raise _parse_error(source, i, "character '\\' must be followed by an ASCII char")
            continue
        if ch == "`":
            i = _mdv2_code(source, i, out)
            continue
        marker = next(((m, k) for m, k in _MDV2_MARKERS if source.startswith(m, i)), None)
        if marker is not None:
            text, kind = marker
            if stack and stack[-1].kind == kind:
                opened = stack.pop()
                out.entity(kind, opened.start)
            elif any(m.kind == kind for m in stack):
                inner = stack[-1]
                raise _parse_error(source, inner.index, f"can't find end of {inner.kind} entity")
            else:
                stack.append(_OpenMark(kind, text, out.pos, i))
            i += len(text)
            continue
        if ch == "[" or (ch == "!" and source.startswith("![", i)):
            kind = "custom_emoji" if ch == "!" else "text_link"
            stack.append(_OpenMark(kind, "[", out.pos, i))
            i += 2 if ch == "!" else 1
            continue
        if ch == "]" and stack and stack[-1].marker == "[":
            i = _mdv2_link_end(source, i, stack.pop(), out)
            continue
        if ch in _MDV2_RESERVED:
            raise _parse_error(
                source, i, f"character '{ch}' is reserved and must be escaped with a preceding '\\'"
            )
        out.add(ch)
        line_start = ch == "\n"
        i += 1
    if stack:
        opened = stack[-1]
        raise _parse_error(source, opened.index, f"can't find end of {opened.kind} entity")
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def _mdv2_code(source: str, index: int, out: _Output) -> int:
    """Parse `code` or ```pre``` starting at index; only ` and \\ are escapable inside."""
    fence = "```" if source.startswith("```", index) else "`"
    i = index + len(fence)
    language = ""
    if fence == "```":
        newline = source.find("\n", i)
        first_line = source[i:newline] if newline != -1 else ""
        if first_line and not any(c.isspace() for c in first_line) and "`" not in first_line:
            language = first_line
            i = newline + 1
    start = out.pos
    chunk: list[str] = []
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source) and source[i + 1] in "`\\":
            chunk.append(source[i + 1])
            i += 2
        elif source.startswith(fence, i):
            out.add("".join(chunk))
            if fence == "`":
                out.entity("code", start)
            elif language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
            return i + len(fence)
        else:
            chunk.append(source[i])
            i += 1
    kind = "pre" if fence == "```" else "code"
    raise _parse_error(source, index, f"can't find end of {kind} entity")


def _mdv2_link_end(source: str, index: int, opened: _OpenMark, out: _Output) -> int:
    """After ``]``: parse ``(url)`` where ``)`` and ``\\`` must be escaped."""
    if not source.startswith("(", index + 1):
        raise _parse_error(source, index, "character ']' is reserved and must be escaped")
    i = index + 2
    url: list[str] = []
    while i < len(source) and source[i] != ")":
        if source[i] == "\\" and i + 1 < len(source):
            url.append(source[i + 1])
            i += 2
        else:
            url.append(source[i])
            i += 1
    if i >= len(source):
        raise _parse_error(source, index, "can't find end of a url")
    target = "".join(url)
    if opened.kind == "custom_emoji":
        emoji_id = target.split("id=", 1)[-1]
        out.entity("custom_emoji", opened.start, custom_emoji_id=emoji_id)
    elif target:
        out.entity("text_link", opened.start, url=target)
    return i + 1


# --- legacy Markdown --------------------------------------------------------------------------


def parse_markdown(source: str) -> ParsedText:
    """Parse legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Output()
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
        elif ch in "*_`":
            fence = "```" if source.startswith("```", i) else ch
            close = source.find(fence, i + len(fence))
            if close == -1:
                raise _parse_error(source, i, "can't find end of the entity starting")
            start = out.pos
            out.add(source[i + len(fence) : close])
            kind = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[fence]
            out.entity(kind, start)
            i = close + len(fence)
        elif ch == "[":
            close = source.find("]", i + 1)
            if close == -1 or not source.startswith("(", close + 1):
                raise _parse_error(source, i, "can't find end of the entity starting")
            url_end = source.find(")", close + 2)
            if url_end == -1:
                raise _parse_error(source, i, "can't find end of the entity starting")
            start = out.pos
            out.add(source[i + 1 : close])
            out.entity("text_link", start, url=source[close + 2 : url_end])
            i = url_end + 1
        else:
            out.add(ch)
            i += 1
    return out.result()


# --- entry point ------------------------------------------------------------------------------


def _check_explicit_entities(text: str, entities: Any) -> list[Entity]:
    if not isinstance(entities, list):
        raise ApiError.bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    checked: list[Entity] = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
            raise ApiError.bad_request('can\'t parse MessageEntity: field "type" is missing')
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
            raise ApiError.bad_request("can't parse MessageEntity: wrong offset or length")
        if offset + length > total:
            raise ApiError.bad_request("entity beyond the end of the text")
        checked.append(dict(entity))
    return checked


def _strip(parsed: ParsedText) -> ParsedText:
    """Telegram trims leading/trailing whitespace of message text; shift entities to match."""
    stripped = parsed.text.strip()
    if stripped == parsed.text:
        return parsed
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    total = utf16_len(stripped)
    entities: list[Entity] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


def parse_formatted(text: str, parse_mode: str | None, entities: Any = None) -> ParsedText:
    """Turn a text/caption parameter into what Telegram would store, or raise its 400."""
    mode = (parse_mode or "").strip().lower()
    if mode and entities:
        # Telegram ignores parse_mode when explicit entities are given.
        mode = ""
    if mode == "html":
        parsed = parse_html(text)
    elif mode == "markdownv2":
        parsed = parse_markdown_v2(text)
    elif mode == "markdown":
        parsed = parse_markdown(text)
    elif mode:
        raise ApiError.bad_request(f"unsupported parse_mode {parse_mode!r}")
    elif entities:
        parsed = ParsedText(text, _check_explicit_entities(text, entities))
    else:
        parsed = ParsedText(text)
    return _strip(parsed)
