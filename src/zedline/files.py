"""Attachment storage: local disk under the data dir (S3-compatible storage is a drop-in)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024


class FileTooLarge(Exception):  # noqa: N818 - reads as what happened
    pass


class FileStore(Protocol):
    def save(self, portal_id: int, stream: BinaryIO, *, max_bytes: int) -> tuple[str, int]: ...
    def open(self, key: str) -> BinaryIO: ...
    def path(self, key: str) -> Path | None: ...
    def delete(self, key: str) -> None: ...


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _resolve(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            msg = "storage key outside the store"
            raise ValueError(msg)
        return path

    def save(self, portal_id: int, stream: BinaryIO, *, max_bytes: int) -> tuple[str, int]:
        """Copy `stream` into the store; returns (key, size). Names are random, never the
        uploader's: a file name can never choose where it lands."""
        token = secrets.token_hex(16)
        key = f"{portal_id}/{token[:2]}/{token}"
        path = self._resolve(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        tmp = path.with_suffix(".part")
        try:
            with tmp.open("wb") as out:
                for chunk in _chunks(stream):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(key)  # noqa: TRY301 - the cleanup below must run
                    out.write(chunk)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return key, size

    def open(self, key: str) -> BinaryIO:
        return self._resolve(key).open("rb")

    def path(self, key: str) -> Path | None:
        return self._resolve(key)

    def delete(self, key: str) -> None:
        self._resolve(key).unlink(missing_ok=True)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        yield chunk
