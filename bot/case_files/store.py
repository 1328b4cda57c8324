"""Files kept by their SHA-256 under ``EVIDENCE_DIR``: ``ab/ab12….pdf``.

The name is the content's hash, so the same file sent twice (or by two workers) is kept once and
a file can be checked against the hash in the database at any time. A file is written to a
temporary name, flushed to disk and renamed: a crash leaves either no file or the whole file,
never a truncated one under its hash. Only the bot's user may read the folder (0700, files 0600):
it holds IOUs, contracts and pay records.

The files of anonymised cases are deleted by ``delete``, given the list the cases left: the
store never deletes a file it was not told of.
"""

import hashlib
import mimetypes
import os
import re
import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CaseFileStore", "StoredFile"]

FOLDER_MODE = 0o700
FILE_MODE = 0o600
EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    path: str
    """Relative to the store's folder, as ``Attachment.stored_path`` holds it."""
    size: int


class CaseFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def keep(self, content: bytes, *, file_name: str | None, mime_type: str | None) -> StoredFile:
        """Write ``content`` once (if it is not there yet) and say where it is."""
        digest = hashlib.sha256(content).hexdigest()
        folder = self.root / digest[:2]
        existing = self._existing(folder, digest, len(content))
        if existing is not None:
            os.utime(existing)  # kept anew: a sweep under way must not take it as unused
            return StoredFile(digest, existing.relative_to(self.root).as_posix(), len(content))
        self._make_folder(self.root)
        self._make_folder(folder)
        target = folder / (digest + extension(file_name, mime_type))
        temporary = folder / f".{digest}.{secrets.token_hex(4)}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        sync_folder(folder)
        return StoredFile(digest, target.relative_to(self.root).as_posix(), len(content))

    def read(self, path: str) -> bytes:
        """A kept file's bytes; ``path`` as stored."""
        return self._inside(path).read_bytes()

    def _inside(self, path: str) -> Path:
        """``path`` as stored, which must stay inside the store."""
        root = self.root.resolve()
        full = (root / path).resolve()
        if not full.is_relative_to(root) or full == root:
            raise ValueError("a stored path must lie inside the case file store")
        return full

    def delete(self, paths: Collection[str], grace_seconds: float) -> list[str]:
        """Delete these kept files, except any kept again in the last ``grace_seconds`` (a fetch
        of the same content stores the file before it records the path); the paths done with
        (deleted, or not there)."""
        cutoff = time.time() - grace_seconds
        done = []
        for path in paths:
            file = self._inside(path)
            try:
                if file.stat().st_mtime > cutoff:
                    continue
                file.unlink()
            except FileNotFoundError:
                pass
            done.append(path)
        return done

    @staticmethod
    def _existing(folder: Path, digest: str, size: int) -> Path | None:
        """The file already kept under this hash, whatever extension it was given first."""
        if not folder.is_dir():
            return None
        for candidate in folder.glob(digest + "*"):
            if candidate.stat().st_size == size:
                return candidate
        return None

    @staticmethod
    def _make_folder(folder: Path) -> None:
        if not folder.is_dir():
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            folder.chmod(FOLDER_MODE)  # mkdir's mode is reduced by the umask


def extension(file_name: str | None, mime_type: str | None) -> str:
    """The file's own extension if it has a plain one, else the usual one for its type."""
    if file_name and "." in file_name:
        suffix = "." + file_name.rsplit(".", 1)[1].lower()
        if EXTENSION.fullmatch(suffix):
            return suffix
    guessed = mimetypes.guess_extension(mime_type) if mime_type else None
    return guessed if guessed and EXTENSION.fullmatch(guessed) else ""


def sync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
