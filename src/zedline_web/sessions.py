"""Server-side sessions that never adopt a stranger's id and get a new id at login.

Litestar's stock backend keeps whatever id the cookie carries, even one the server never issued,
so an attacker who plants a cookie (session fixation) would share the victim's session after
login. This backend:

- only reuses an id whose data exists in the store (an unknown id from a cookie is ignored);
- issues a fresh id, and deletes the old one, when a handler calls `start_session` (login,
  password change);
- writes nothing and sets no cookie for an anonymous visitor with an empty session, and writes
  the store only when the data changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import StorageObject
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

_KNOWN_ID = "zl_session_known_id"
_LOADED = "zl_session_loaded"
_NEW_ID = "zl_session_new_id"
_ROTATE = "zl_session_rotate"
# Longer values are not ids we issued (32 random bytes in hex); do not even look them up.
_MAX_ID_LENGTH = 128


def _scope(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    return cast("dict[str, Any]", connection.scope)


class RotatingSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        scope = _scope(connection)
        session_id = connection.cookies.get(self.config.key)
        if session_id and session_id != "null" and len(session_id) <= _MAX_ID_LENGTH:
            store = self.config.get_store_from_app(scope["app"])
            data = await self.get(session_id, store=store)
            if data is not None:
                scope[_KNOWN_ID] = session_id
                scope[_LOADED] = bytes(data)
                return self.deserialize_data(data)
        return {}

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        scope = _scope(connection)
        known: str | None = scope.get(_KNOWN_ID)
        if known and not scope.get(_ROTATE):
            return known
        new: str | None = scope.get(_NEW_ID)
        if not new:
            new = self.generate_session_id()
            scope[_NEW_ID] = new
        return new

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        scope = _scope(connection)
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        known: str | None = scope.get(_KNOWN_ID)
        cookie_params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        if scope_session is Empty or not scope_session:
            if known:
                await self.delete(known, store=store)
            if self.config.key in connection.cookies:
                cookie_params["max_age"] = 0
                expired = Cookie(value="null", key=self.config.key, expires=0, **cookie_params)
                headers.add("Set-Cookie", expired.to_header(header=""))
            return
        data = self.serialize_data(scope_session, connection.scope)
        rotate = bool(scope.get(_ROTATE))
        if known and not rotate and data == scope.get(_LOADED):
            return
        if known and rotate:
            await self.delete(known, store=store)
        session_id = self.get_session_id(connection)
        await self.set(session_id=session_id, data=data, store=store)
        cookie = Cookie(value=session_id, key=self.config.key, **cookie_params)
        headers.add("Set-Cookie", cookie.to_header(header=""))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def start_session(request: Request[Any, Any, Any], data: dict[str, Any]) -> None:
    """Replace the session with `data` under a new session id (the old id stops working)."""
    request.set_session(dict(data))
    cast("dict[str, Any]", request.scope)[_ROTATE] = True


def end_session(request: Request[Any, Any, Any]) -> None:
    """Forget the session: its data is deleted and the cookie expires."""
    request.clear_session()


class SessionFileStore(FileStore):
    """Sessions as small files under the data dir, shared by every web process on the machine.

    Litestar's FileStore hands every read and write to a worker thread; a session is a few
    hundred bytes in the page cache, read on every request, so the thread hand-off costs far
    more than the read. This store reads, writes (atomically, by rename) and deletes in place.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, create_directories=True)
        self._dir = Path(path)
        self._dir.mkdir(parents=True, exist_ok=True)

    def _file(self, key: str) -> Path:
        return Path(self._path_from_key(key))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        path = self._file(key)
        try:
            stored = StorageObject.from_bytes(path.read_bytes())
        except FileNotFoundError:
            return None
        if stored.expired:
            path.unlink(missing_ok=True)
            return None
        if renew_for and stored.expires_at:
            await self.set(key, stored.data, expires_in=renew_for)
        return stored.data

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        self._dir.mkdir(parents=True, exist_ok=True)  # the data dir may have been cleaned
        self._write_sync(self._path_from_key(key), StorageObject.new(data, expires_in))

    async def delete(self, key: str) -> None:
        self._file(key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None
