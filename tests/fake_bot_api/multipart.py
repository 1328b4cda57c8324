"""Decode a multipart/form-data body that has been read whole.

aiohttp's streaming multipart reader decides where a part ends from how the bytes happened to
arrive; once in a long CI run it failed on a PTB upload under load and the fake answered a
plain-text 500 that no real Telegram would. The fake reads the body first and parses it with
the standard library, so what it sees never depends on network timing.
"""

from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

from .spec import UploadedFile

FormValue = str | UploadedFile


def parse_form_data(content_type: str, body: bytes) -> dict[str, FormValue]:
    """Named fields as text, file fields as ``UploadedFile``; ValueError if it is not multipart."""
    envelope = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(envelope)
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise ValueError("malformed multipart/form-data body")
    fields: dict[str, FormValue] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            raise ValueError(f"part {name!r} has no body")
        filename = part.get_filename()
        if filename is None:
            try:
                fields[name] = data.decode(part.get_content_charset("utf-8"))
            except LookupError:
                raise ValueError(f"part {name!r} names an unknown charset") from None
        else:
            media_type = part.get("Content-Type")
            fields[name] = UploadedFile(
                name, filename, None if media_type is None else str(media_type), data
            )
    return fields
