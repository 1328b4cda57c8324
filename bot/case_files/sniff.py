"""A file's type from its first bytes: what Telegram reported is only the sender's word."""

from handlers.case_file import UNKNOWN, normal_mime

__all__ = ["content_type"]

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"#!AMR", "audio/amr"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
)
RIFF_KINDS = {b"WEBP": "image/webp", b"WAVE": "audio/wav"}
IMAGE_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
}
"""ISO media files whose brand says picture: iPhone photos sent as files."""
CONTAINERS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
"""ZIP (DOCX, XLSX, ODT…) and OLE (DOC, XLS…): the bytes say "a container", the declared type
says which document it holds."""
OFFICE_MARKS = ("officedocument", "msword", "ms-excel", "ms-powerpoint", "opendocument", "wps-")
RECOGNISED = frozenset(mime for _, mime in SIGNATURES) | frozenset(RIFF_KINDS.values())


def content_type(content: bytes, declared: str | None) -> str | None:
    """The type the bytes show; for a container or bytes of no known kind, the declared type,
    unless it names a kind whose signature is missing (a "PDF" that is not one)."""
    head = content[:16]
    for signature, mime in SIGNATURES:
        if head.startswith(signature):
            return mime
    if head.startswith(b"RIFF") and head[8:12] in RIFF_KINDS:
        return RIFF_KINDS[head[8:12]]
    declared_type = normal_mime(declared)
    if head[4:8] == b"ftyp":
        return _iso_media(head[8:12], declared_type)
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MP3 frame without an ID3 tag
    if head.startswith(CONTAINERS):
        office = declared_type is not None and any(m in declared_type for m in OFFICE_MARKS)
        return declared_type if office else UNKNOWN
    if declared_type in RECOGNISED:
        return UNKNOWN
    return declared_type


def _iso_media(brand: bytes, declared: str | None) -> str:
    """An ISO media file (``ftyp``) by its brand: a photo (HEIC, AVIF), a recording (M4A, or
    any brand a phone's recorder writes when the file is declared as audio), else a video."""
    if brand in IMAGE_BRANDS:
        return IMAGE_BRANDS[brand]
    if brand.startswith(b"M4A") or (declared or "").startswith("audio/"):
        return "audio/mp4"
    return "video/mp4"
