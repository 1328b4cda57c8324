"""The one rule for what the case file accepts."""

import pytest

from handlers.case_file import MAX_BYTES, Refusal, normal_mime, refusal


@pytest.mark.parametrize(
    ("kind", "mime", "size"),
    [
        ("photo", None, 300_000),
        ("voice", "audio/ogg", 40_000),
        ("audio", "audio/mpeg", 3_000_000),
        ("document", "application/pdf", 1_000_000),
        ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 9),
        ("document", "image/jpeg", 2_000_000),
        ("document", "APPLICATION/PDF; charset=binary", None),
        ("document", "application/pdf", MAX_BYTES),
    ],
)
def test_photos_voice_pdf_office_and_images_are_accepted(
    kind: str, mime: str | None, size: int | None
) -> None:
    assert refusal(kind, mime, size) is None


def test_a_file_over_telegrams_download_limit_is_too_big() -> None:
    assert refusal("document", "application/pdf", MAX_BYTES + 1) is Refusal.TOO_BIG
    assert refusal("photo", None, MAX_BYTES + 1) is Refusal.TOO_BIG


@pytest.mark.parametrize(
    "mime", ["application/x-msdownload", "application/zip", "video/mp4", None, ""]
)
def test_programs_archives_videos_and_unknown_documents_are_not_accepted(
    mime: str | None,
) -> None:
    assert refusal("document", mime, 1000) is Refusal.TYPE


def test_a_type_longer_than_any_real_one_is_not_taken_at_face_value() -> None:
    assert normal_mime("image/" + "x" * 200) is None
    assert refusal("audio", "audio/" + "x" * 200, 1000) is Refusal.TYPE
    assert normal_mime(" Audio/OGG; codecs=opus") == "audio/ogg"
