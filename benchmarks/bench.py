"""Benchmark of the helpdesk at a million tickets: `nox -s bench` (or `python benchmarks/bench.py`).

For each database (SQLite, and PostgreSQL when reachable) it:
1. builds the data set once with `zedline demo` (1 big portal with --tickets tickets, about five
   messages each, 50 operators, ~50,000 clients, plus --portals - 1 small portals), and keeps it
   in bench-data/ for the next run;
2. starts `zedline serve --workers W` the way production runs it, logs in over HTTP as an
   operator and as a client (real sessions, real CSRF tokens);
3. drives real HTTP load with wrk from a separate process on 127.0.0.1 at concurrency 1 and 16
   against each endpoint, and records requests/s, p50, p99, errors and each worker's memory;
4. does the same for a bare Litestar page (one primary-key read + a template) as the ceiling.

Results go to bench-results/<db>.json and are printed as the Markdown table that
docs/benchmarks.md shows. Every run is bounded: wrk runs --duration seconds per cell.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
RESULTS = ROOT / "bench-results"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/zedline_bench"
WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
BAD = re.compile(r"Bad responses: (\d+)")
SOCKET_ERR = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
PCT = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


@dataclass
class Cell:
    endpoint: str
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def zedline_command() -> str:
    """The `zedline` command of the running interpreter's environment (nox's venv, or the
    virtualenv bench.py was started with), found even when that environment is not on PATH."""
    beside = Path(sys.executable).parent / "zedline"
    return str(beside) if beside.exists() else shutil.which("zedline") or "zedline"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    msg = f"{url} did not answer within {timeout:.0f} s"
    raise RuntimeError(msg)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str, *, concurrency: int, duration: int, env: dict[str, str], script: Path, endpoint: str
) -> Cell:
    threads = min(concurrency, 2)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    ).stdout
    rps = float(WRK_LINE.search(out).group(1))  # type: ignore[union-attr]
    pct = {p: _ms(v, u) for p, v, u in PCT.findall(out)}
    # The scripts count every answer that is not the expected one (see get.lua, post.lua).
    errors = int(m.group(1)) if (m := BAD.search(out)) else 0
    if m := SOCKET_ERR.search(out):
        errors += sum(int(x) for x in m.groups())
    if m := re.search(r"First bad status: (\d+)", out):
        print(f"{endpoint} (c={concurrency}): answers like {m.group(1)} among them", flush=True)
    total = re.search(r"(\d+) requests in", out)
    return Cell(
        endpoint,
        concurrency,
        rps,
        pct.get("50", 0.0),
        pct.get("99", 0.0),
        errors,
        int(total.group(1)) if total else 0,
    )


def worker_memory_mb(pid: int) -> list[dict[str, float]]:
    """Memory of each process in the server's tree (the master and its workers), in MB:
    `rss` as `ps` shows it, and `own` without the file pages it maps (RssFile: the SQLite
    file read through mmap, shared with every other process and the page cache)."""
    result = []
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if not status.exists():
            continue
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        kb = {k: int(fields[k].split()[0]) for k in ("VmRSS", "RssFile") if k in fields}
        rss = kb.get("VmRSS", 0) / 1024
        result.append({"rss": rss, "own": rss - kb.get("RssFile", 0) / 1024})
    return result


@contextmanager
def server(
    cmd: list[str], env: dict[str, str], health: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `cmd` until the block ends; its output goes to `log` (read it when a cell shows
    errors)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            env={**os.environ, **env},
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_http(health)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def build_data(db: str, data_dir: Path, url: str, portals: int, tickets: int) -> float | None:
    marker = data_dir / f"bench-{portals}-{tickets}.done"
    if marker.exists():
        return None
    if db == "postgresql":
        name = url.rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                check=True,
            )
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {**os.environ, "ZEDLINE_DATA_DIR": str(data_dir), "ZEDLINE_DATABASE_URL": url}
    started = time.monotonic()
    subprocess.run(
        [zedline_command(), "demo", "--portals", str(portals), "--tickets", str(tickets)],
        env=env,
        check=True,
    )
    elapsed = time.monotonic() - started
    marker.write_text(f"{elapsed:.1f}\n")
    return elapsed


def login(base: str, slug: str, email: str, password: str) -> tuple[str, str]:
    """Log in like a browser; returns (Cookie header, CSRF token)."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as http:
        http.get(f"/p/{slug}/login")
        token = http.cookies.get("zl_csrf", "")
        r = http.post(
            f"/p/{slug}/login", data={"email": email, "password": password, "_csrf_token": token}
        )
        if r.status_code not in (302, 303):
            msg = f"login of {email} failed: {r.status_code}"
            raise RuntimeError(msg)
        token = http.cookies.get("zl_csrf", token)
        # A regular user, not a first visit: the guided tour has been seen and dismissed.
        http.post(f"/p/{slug}/tour/done", data={"_csrf_token": token})
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        return cookie, http.cookies.get("zl_csrf", token)


def multipart(fields: dict[str, str]) -> tuple[str, str]:
    boundary = "zedlinebenchboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    return "".join(parts) + f"--{boundary}--\r\n", f"multipart/form-data; boundary={boundary}"


NEXT_LINK = re.compile(r'<a [^>]*href="([^"]+)" rel="next"')


def discover(
    base: str, cookie: str, csrf: str, slug: str, env_db: dict[str, str]
) -> dict[str, Any]:
    """Find the URLs to measure: a deep journal page (twenty pages down the keyset links of
    every ticket), a ticket with ten messages (topped up with replies if the data has none
    with exactly ten), a ticket to reply to, a client."""
    info = json.loads(
        subprocess.run(
            [sys.executable, str(HERE / "targets.py"), slug],
            capture_output=True,
            text=True,
            env={**os.environ, **env_db},
            check=True,
        ).stdout
    )
    with httpx.Client(base_url=base, headers={"Cookie": cookie}, timeout=60) as http:
        url = f"/p/{slug}/tickets?category=all"
        for _ in range(20):
            found = NEXT_LINK.search(http.get(url).text)
            if not found:
                msg = f"the journal has fewer than 20 pages of tickets at {url}"
                raise RuntimeError(msg)
            url = found.group(1).replace("&amp;", "&")
        info["deep"] = url
        for i in range(10 - int(info["ticket_10_messages"])):
            body, ctype = multipart(
                {"_csrf_token": csrf, "visibility": "public", "body": f"Follow-up {i + 1}."}
            )
            r = http.post(
                f"/p/{slug}/tickets/{info['ticket_10']}/reply",
                content=body,
                headers={"Content-Type": ctype},
            )
            if not accepted(r):
                msg = f"topping up ticket {info['ticket_10']} failed: {r.status_code}"
                raise RuntimeError(msg)
    return info


def drain_outbox(env_db: dict[str, str], timeout: float = 900.0) -> None:
    """Wait until the server's worker has delivered the mail a previous run queued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = subprocess.run(
            [sys.executable, str(HERE / "targets.py"), "--pending"],
            capture_output=True,
            text=True,
            env={**os.environ, **env_db},
            check=True,
        ).stdout.strip()
        if waiting == "0":
            return
        print(f"waiting for the worker to deliver {waiting} queued e-mails", flush=True)
        time.sleep(10)
    msg = f"the outbox did not drain within {timeout:.0f} s"
    raise RuntimeError(msg)


def accepted(r: httpx.Response) -> bool:
    """A form was accepted: the redirect to the ticket (302 or 303), not back to a login."""
    return r.status_code in (302, 303) and "/tickets/" in r.headers.get("location", "")


def preflight(base: str, gets: list[Any], posts: list[Any]) -> None:
    """One request per endpoint before any load: a page must answer 200 and a form the
    redirect to its ticket; anything else stops the run with the reason."""
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as http:
        for name, cookie, path in gets:
            r = http.get(path, headers={"Cookie": cookie})
            if r.status_code != 200:
                msg = f"{name}: GET {path} answered {r.status_code}"
                raise RuntimeError(msg)
        for name, cookie, path, body, ctype in posts:
            r = http.post(path, content=body, headers={"Cookie": cookie, "Content-Type": ctype})
            if not accepted(r):
                where = r.headers.get("location", "")
                msg = f"{name}: POST {path} answered {r.status_code} {where} {r.text[:300]}"
                raise RuntimeError(msg)


def bench_database(db: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = args.data_dir / db
    url = args.pg_url if db == "postgresql" else f"sqlite:///{data_dir / 'zedline.sqlite3'}"
    build_seconds = build_data(db, data_dir, url, args.portals, args.tickets)
    env = {"ZEDLINE_DATA_DIR": str(data_dir), "ZEDLINE_DATABASE_URL": url}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cells: list[Cell] = []
    get_lua, post_lua = HERE / "get.lua", HERE / "post.lua"
    with server(
        [
            zedline_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env,
        f"{base}/healthz",
        RESULTS / f"{db}-server.log",
    ) as proc:
        staff_cookie, staff_csrf = login(base, "demo", args.operator, args.password)
        client_cookie, client_csrf = login(base, "demo", args.client, args.password)
        t = discover(base, staff_cookie, staff_csrf, "demo", env)
        gets = [
            ("journal, first page", staff_cookie, "/p/demo/tickets"),
            ("journal, deep page (keyset)", staff_cookie, t["deep"]),
            ("journal, mine", staff_cookie, "/p/demo/tickets?assignee=mine&category=all"),
            (
                "journal, by client",
                staff_cookie,
                f"/p/demo/tickets?client={t['client_id']}&category=all",
            ),
            ("journal, by deadline", staff_cookie, "/p/demo/tickets?sort=deadline"),
            ("ticket page, 10 messages", staff_cookie, f"/p/demo/tickets/{t['ticket_10']}"),
            ("client's ticket list", client_cookie, "/p/demo/tickets"),
            ("search", staff_cookie, "/p/demo/tickets?category=all&q=printer"),
        ]
        new_body, new_type = multipart(
            {
                "_csrf_token": client_csrf,
                "f_subject": "Benchmark request",
                "f_description": "Created by the benchmark.",
                "f_topic": "IT and accounts",
            }
        )
        reply_body, reply_type = multipart(
            {
                "_csrf_token": staff_csrf,
                "visibility": "public",
                "body": "A reply from the benchmark.",
            }
        )
        posts = [
            ("new ticket", client_cookie, "/p/demo/tickets/new", new_body, new_type),
            (
                "reply",
                staff_cookie,
                f"/p/demo/tickets/{t['ticket_reply']}/reply",
                reply_body,
                reply_type,
            ),
        ]
        preflight(base, gets, posts)
        drain_outbox(env)
        # Every page first, then the forms: the mail the forms queue is delivered by the
        # server's worker meanwhile, and would otherwise compete with the pages measured.
        gets = [g for g in gets if wanted(args, g[0])]
        posts = [p for p in posts if wanted(args, p[0])]
        for concurrency in args.concurrency:
            for name, cookie, path in gets:
                cells.append(
                    run_wrk(
                        base + path,
                        concurrency=concurrency,
                        duration=args.duration,
                        env={"BENCH_COOKIE": cookie},
                        script=get_lua,
                        endpoint=name,
                    )
                )
        for concurrency in args.concurrency:
            for name, cookie, path, body, ctype in posts:
                cells.append(
                    run_wrk(
                        base + path,
                        concurrency=concurrency,
                        duration=args.duration,
                        env={
                            "BENCH_COOKIE": cookie,
                            "BENCH_BODY": body,
                            "BENCH_CONTENT_TYPE": ctype,
                        },
                        script=post_lua,
                        endpoint=name,
                    )
                )
        memory = worker_memory_mb(proc.pid)
    bare_memory: list[dict[str, float]] = []
    if wanted(args, "bare Litestar page"):
        cells, bare_memory = cells + (bare := bare_page(db, url, t, args))[0], bare[1]
    return {
        "database": db,
        "build_seconds": build_seconds,
        "cells": [asdict(c) for c in cells],
        "memory_mb": memory,
        "bare_memory_mb": bare_memory,
        "workers": args.workers,
        "tickets": args.tickets,
        "portals": args.portals,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }


def wanted(args: argparse.Namespace, endpoint: str) -> bool:
    """Whether `--only` (any of its words) picks this endpoint; every endpoint without it."""
    return not args.only or any(word in endpoint for word in args.only)


def bare_page(
    db: str, url: str, t: dict[str, Any], args: argparse.Namespace
) -> tuple[list[Cell], list[dict[str, float]]]:
    """The stack's ceiling: a bare Litestar page (one primary-key read and a template)."""
    bare_port = free_port()
    bare_env = {"BARE_DATABASE_URL": url, "PYTHONPATH": str(HERE)}
    with server(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(bare_port),
            "--workers",
            str(args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        bare_env,
        f"http://127.0.0.1:{bare_port}/t/{t['portal_id']}/1",
        RESULTS / f"{db}-bare-server.log",
    ) as bare:
        cells = [
            run_wrk(
                f"http://127.0.0.1:{bare_port}/t/{t['portal_id']}/1",
                concurrency=concurrency,
                duration=args.duration,
                env={},
                script=HERE / "get.lua",
                endpoint="bare Litestar page",
            )
            for concurrency in args.concurrency
        ]
        return cells, worker_memory_mb(bare.pid)


def table(result: dict[str, Any]) -> str:
    cells = [Cell(**c) for c in result["cells"]]
    bare = {c.concurrency: c.rps for c in cells if c.endpoint == "bare Litestar page"}
    lines = [
        f"### {result['database']}",
        "",
        "| endpoint | c | req/s | p50 ms | p99 ms | errors | vs bare |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        ratio = c.rps / bare[c.concurrency] if bare.get(c.concurrency) else 0
        lines.append(
            f"| {c.endpoint} | {c.concurrency} | {c.rps:,.0f} | {c.p50_ms:.1f} | "
            f"{c.p99_ms:.1f} | {c.errors} | {ratio:.0%} |"
        )
    mem = ", ".join(f"{m['rss']:.0f} ({m['own']:.0f})" for m in result["memory_mb"])
    lines += [
        "",
        f"Memory per process, MB, master first: resident (own, without mapped files): {mem}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per cell")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORD",
        help="measure only the endpoints whose name contains WORD (repeatable), e.g. 'reply'",
    )
    parser.add_argument(
        "--concurrency", type=int, action="append", help="concurrency levels (default 1 and 16)"
    )
    parser.add_argument("--operator", default="operator@demo.example.com")
    parser.add_argument("--client", default="client@demo.example.com")
    parser.add_argument("--password", default="zedline-demo")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / "bench-data",
        help="where the data sets (SQLite file, attachments) are built and kept",
    )
    parser.add_argument(
        "--pg-url", default=PG_URL, help="PostgreSQL database (dropped and rebuilt)"
    )
    args = parser.parse_args()
    args.concurrency = args.concurrency or [1, 16]
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    out = RESULTS
    out.mkdir(exist_ok=True)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for db in databases:
        result = bench_database(db, args)
        (out / f"{db}.json").write_text(json.dumps(result, indent=2))
        print(table(result), flush=True)


if __name__ == "__main__":
    main()
