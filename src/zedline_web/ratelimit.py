"""Rate limits for the doors a guesser knocks on: login, registration, password reset; and
for the admin's test e-mail, which could otherwise send mail to anyone without end.

Fixed windows counted per key (a client IP, or a portal and an e-mail). Counters live in Redis
when `ZEDLINE_REDIS_URL` is set, so every web process shares them; otherwise in this process's
memory, which is right for the one-process default (`zedline serve`) and means each process of
a multi-process set-up without Redis counts on its own. Time comes from the core's clock, so
tests move it instead of waiting.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from zedline.clock import Clock

WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Rule:
    limit: int
    window: timedelta = WINDOW


# A shared office IP carries many people, so it gets more room than a single account.
DEFAULT_RULES: dict[str, Rule] = {
    "login-ip": Rule(30),
    "login-account": Rule(10),
    "register-ip": Rule(10),
    "reset-ip": Rule(10),
    "reset-account": Rule(5),
    # A test e-mail goes to any address: without a limit, the admin page is a spam cannon.
    "mail-test-portal": Rule(5, timedelta(minutes=10)),
}


class TooManyAttempts(HTTPException):
    status_code = HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            detail=(
                "Too many attempts from here. For your safety, please wait "
                f"{minutes} minute{'s' if minutes != 1 else ''} and try again."
            ),
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class Counters(Protocol):
    def incr(self, key: str, ttl_seconds: int) -> int: ...
    def reset(self) -> None: ...


@dataclass
class MemoryCounters:
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def incr(self, key: str, ttl_seconds: int) -> int:  # noqa: ARG002 - windows end by key
        with self._lock:
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
            return count

    def prune(self, keep_suffixes: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._counts if k.rsplit(":", 1)[-1] not in keep_suffixes]:
                del self._counts[key]

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class RedisCounters:
    def __init__(self, url: str, namespace: str = "zedline:ratelimit") -> None:
        import redis  # noqa: PLC0415 - optional: only loaded when Redis is configured

        self._redis: Any = redis.Redis.from_url(url)
        self._namespace = namespace

    def incr(self, key: str, ttl_seconds: int) -> int:
        name = f"{self._namespace}:{key}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, ttl_seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def reset(self) -> None:
        for name in self._redis.scan_iter(f"{self._namespace}:*"):
            self._redis.delete(name)


class RateLimiter:
    """`hit(rule, key)` counts one attempt and answers how long to wait if it is one too many."""

    def __init__(
        self,
        clock: Clock,
        counters: Counters | None = None,
        rules: dict[str, Rule] | None = None,
    ) -> None:
        self.clock = clock
        self.counters: Counters = counters if counters is not None else MemoryCounters()
        self.rules = dict(DEFAULT_RULES if rules is None else rules)

    def hit(self, rule_name: str, key: str) -> int | None:
        """Count an attempt; None when allowed, else the seconds until the window ends."""
        rule = self.rules[rule_name]
        window = int(rule.window.total_seconds())
        now = self.clock.now().timestamp()
        start = int(now // window) * window
        if isinstance(self.counters, MemoryCounters):
            # Only the current window of each rule matters; drop the old ones.
            self.counters.prune(self._current_starts(now))
        count = self.counters.incr(f"{rule_name}:{key}:{start}", window)
        if count > rule.limit:
            return max(1, int(start + window - now))
        return None

    def _current_starts(self, now: float) -> set[str]:
        starts = set()
        for rule in self.rules.values():
            window = int(rule.window.total_seconds())
            starts.add(str(int(now // window) * window))
        return starts

    def check(self, checks: list[tuple[str, str]]) -> None:
        """Count one attempt against every (rule, key) given.

        Raises:
            TooManyAttempts: one of them is over its limit.
        """
        waits = [wait for rule, key in checks if (wait := self.hit(rule, key)) is not None]
        if waits:
            raise TooManyAttempts(max(waits))

    def reset(self) -> None:
        self.counters.reset()
