"""Live updates: what changed, announced after commit to whoever watches.

In memory for one process; through Redis pub/sub when `ZEDLINE_REDIS_URL` is set, so several
web processes agree. A change says only *what* changed (portal, ticket number, kind), never the
content: a watcher reloads through the access functions, so nothing leaks to a client.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)
CHANNEL = "zedline:changes"


@dataclass(frozen=True)
class Change:
    portal_id: int
    ticket_number: int
    kind: str  # "message", "status", "assignee", "ticket", ...
    # Internal changes (an internal note) are announced to staff only.
    public: bool = True
    requester_id: int | None = None


Listener = Callable[[Change], None]


class LiveBus(Protocol):
    def publish(self, changes: Iterable[Change]) -> None: ...
    def subscribe(self, listener: Listener) -> Callable[[], None]: ...
    def close(self) -> None: ...


class InMemoryBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def publish(self, changes: Iterable[Change]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for change in changes:
            for listener in listeners:
                try:
                    listener(change)
                except Exception:  # a broken watcher must not break the writer
                    log.exception("live listener failed")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def close(self) -> None:
        with self._lock:
            self._listeners.clear()


class RedisBus:
    """Publishes to a Redis channel; one background thread per process fans messages out."""

    def __init__(self, url: str) -> None:
        import redis  # noqa: PLC0415 - optional: only loaded when Redis is configured

        self._redis: Any = redis.Redis.from_url(url)
        self._local = InMemoryBus()
        self._thread: threading.Thread | None = None
        self._pubsub: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def publish(self, changes: Iterable[Change]) -> None:
        for change in changes:
            try:
                self._redis.publish(CHANNEL, json.dumps(asdict(change)))
            except Exception:  # the change is committed; a missed live update is not a loss
                log.exception("could not publish a live update to Redis")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._ensure_thread()
        return self._local.subscribe(listener)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            self._pubsub.subscribe(CHANNEL)
            self._thread = threading.Thread(target=self._run, name="zedline-live", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        # Polls with a timeout so close() can stop the thread between messages.
        while not self._stop.is_set():
            try:
                item = self._pubsub.get_message(timeout=0.5)
            except Exception:  # Redis went away: retry, unless closing
                if self._stop.wait(1.0):
                    return
                log.exception("live updates: lost the Redis subscription, retrying")
                continue
            if item is None or item.get("type") != "message":
                continue
            try:
                change = Change(**json.loads(item["data"]))
            except (TypeError, ValueError):
                continue
            self._local.publish([change])

    def close(self) -> None:
        self._stop.set()
        self._local.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pubsub is not None:
            self._pubsub.close()
        self._redis.close()
