"""`zedline serve` hands uvicorn the right options (uvicorn itself is not started here)."""

from __future__ import annotations

import threading

import pytest
import uvicorn


@pytest.fixture
def served(cli, monkeypatch):
    """Run `zedline serve ARGS` with uvicorn replaced by a recorder; returns its options."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    # serve exports settings for its web processes: what it sets is undone after the test.
    for name in ("ZEDLINE_BASE_URL", "ZEDLINE_DATA_DIR", "MALLOC_ARENA_MAX"):
        monkeypatch.delenv(name, raising=False)

    def run(*args):
        result = cli("serve", "--port", "8765", *args)
        assert result.exit_code == 0, result.output
        return calls[-1]

    return run


def test_serve_writes_no_access_log_by_default(served):
    assert served()["access_log"] is False


def test_serve_writes_the_access_log_when_asked(served):
    assert served("--access-log")["access_log"] is True


def test_serve_starts_the_asked_number_of_workers(served):
    assert served("--workers", "3")["workers"] == 3


@pytest.mark.parametrize(("workers", "lowered"), [("1", []), ("2", ["zedline-worker"])])
def test_serve_lowers_the_mail_workers_priority_when_pages_run_apart(
    served, monkeypatch, workers, lowered
):
    """With web processes of their own, the worker thread yields to them; in one process it
    would share their GIL, so it keeps the normal priority."""
    import zedline.worker  # noqa: PLC0415 - patched where serve looks it up

    seen: list[str] = []
    ran: list[str] = []
    monkeypatch.setattr(
        zedline.worker,
        "lower_thread_priority",
        lambda: seen.append(threading.current_thread().name),
    )
    monkeypatch.setattr(zedline.worker.Worker, "run_forever", lambda self, stop: ran.append("ran"))
    served("--workers", workers)
    assert seen == lowered
    assert ran == ["ran"]
