"""The case file store: files kept by their hash, owner-only, once; read back only from inside."""

import hashlib
import stat
from pathlib import Path

import pytest

from bot.case_files.sniff import content_type
from bot.case_files.store import CaseFileStore
from handlers.case_file import Refusal, refusal

PDF = b"%PDF-1.4\n% an IOU\n"
DOCX = b"PK\x03\x04" + b"\x00" * 40
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_file_is_kept_under_its_sha256_readable_by_the_bot_alone(tmp_path: Path) -> None:
    store = CaseFileStore(tmp_path / "evidence")
    kept = store.keep(PDF, file_name="IOU.PDF", mime_type="application/pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    assert (kept.sha256, kept.size) == (digest, len(PDF))
    assert kept.path == f"{digest[:2]}/{digest}.pdf"
    assert store.read(kept.path) == PDF
    assert mode(tmp_path / "evidence") == 0o700
    assert mode(tmp_path / "evidence" / digest[:2]) == 0o700
    assert mode(tmp_path / "evidence" / kept.path) == 0o600


def test_the_same_content_is_kept_once_whatever_it_was_called(tmp_path: Path) -> None:
    store = CaseFileStore(tmp_path)
    first = store.keep(PDF, file_name="a.pdf", mime_type="application/pdf")
    second = store.keep(PDF, file_name="copy.txt", mime_type="text/plain")
    assert second == first
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [first.path]


def test_a_file_without_a_name_gets_the_extension_of_its_type(tmp_path: Path) -> None:
    kept = CaseFileStore(tmp_path).keep(
        b"\xff\xd8\xff\xe0photo", file_name=None, mime_type="image/jpeg"
    )
    assert kept.path.endswith(".jpg")


def test_a_write_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    CaseFileStore(tmp_path).keep(PDF, file_name=None, mime_type=None)
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]


@pytest.mark.parametrize("path", ["../outside.pdf", "/etc/passwd", "ab/../../x", ""])
def test_reading_outside_the_store_is_refused(tmp_path: Path, path: str) -> None:
    (tmp_path / "outside.pdf").write_bytes(b"secret")
    store = CaseFileStore(tmp_path / "evidence")
    with pytest.raises(ValueError):
        store.read(path)


@pytest.mark.parametrize(
    ("content", "declared", "kind", "expected"),
    [
        (PDF, "application/pdf", "document", None),
        (b"MZ\x90\x00 a program", "application/pdf", "document", Refusal.TYPE),
        (b"just text that says it is a PDF", "application/pdf", "document", Refusal.TYPE),
        (DOCX, DOCX_TYPE, "document", None),
        (DOCX, "application/zip", "document", Refusal.TYPE),
        (b"plain notes of hours worked", "text/plain", "document", None),
        (b"OggS" + b"\x00" * 20, None, "voice", None),
        (b"ID3\x03 a song", "audio/mpeg", "audio", None),
        (b"\xff\xfb\x90\x00 an MP3 without a tag", "audio/mpeg", "audio", None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic", "document", None),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", "audio/mp4", "audio", None),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", "video/mp4", "document", Refusal.TYPE),
        (b"MZ\x90\x00 a program", None, "voice", Refusal.TYPE),
        (b"\x7fELF a program", None, "photo", Refusal.TYPE),
    ],
)
def test_the_downloaded_bytes_decide_the_type_not_the_senders_word(
    content: bytes, declared: str | None, kind: str, expected: Refusal | None
) -> None:
    assert refusal(kind, content_type(content, declared), len(content)) == expected
