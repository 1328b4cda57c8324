"""Reading a file the operator wrote (routing, privacy notice): every failure is one line."""

from pathlib import Path

__all__ = ["read_operator_file"]


def read_operator_file(path: Path, what: str, error: type[ValueError]) -> str:
    """The file's text, or ``error`` naming ``what`` and the path in one line."""
    try:
        # utf-8-sig: editors on Windows like to prepend a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{what} {path}: file not found") from None
    except UnicodeDecodeError as failure:
        raise error(f"{what} {path}: not UTF-8 text (bad byte at offset {failure.start})") from None
    except OSError as failure:
        raise error(f"{what} {path}: cannot read: {failure.strerror}") from None
