"""Live updates across processes: two cores on one Redis agree on what changed."""

import os
import threading

import pytest

from zedline import build
from zedline.live import Change

REDIS_URL = os.environ.get("ZEDLINE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs ZEDLINE_TEST_REDIS_URL")


def test_a_change_committed_in_one_process_reaches_another(settings, clock):
    redis_settings = settings.model_copy(update={"redis_url": REDIS_URL})
    writer = build(redis_settings, clock=clock, fast_hashing=True)
    watcher = build(redis_settings, clock=clock, fast_hashing=True)
    got: list[Change] = []
    arrived = threading.Event()

    def listener(change: Change) -> None:
        got.append(change)
        arrived.set()

    unsubscribe = watcher.live.subscribe(listener)
    try:
        # The subscription is live once Redis confirms it; publish until the watcher hears.
        change = Change(portal_id=7, ticket_number=42, kind="message", public=False)
        for _ in range(50):
            writer.live.publish([change])
            if arrived.wait(0.1):
                break
        assert got[0] == change
    finally:
        unsubscribe()
        writer.close()
        watcher.close()
