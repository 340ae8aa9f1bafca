"""Realistic demo data, loaded fast.

Portals are provisioned through the use case; the bulk (users, tickets, conversations, history,
attachments) goes straight into the tables in batches of a few thousand tickets: on SQLite as
one executemany of the statement `insert(table)` compiles to, on PostgreSQL with COPY. Ids come
from the id generator, and one password hash is shared by every demo account. A seeded
`random.Random` makes a run reproducible: the same seed gives the same tickets, with times
relative to the moment of the run.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from faker import Faker
from sqlalchemy import JSON, Column, Connection, Dialect, Enum, Table, insert, select, update
from sqlalchemy.exc import DBAPIError

from zedline.accounts.model import Role
from zedline.accounts.passwords import PasswordHasher
from zedline.bootstrap import Zedline
from zedline.demo.corpus import (
    CLIENT,
    CLIENT_THANKS,
    OPERATOR,
    OPERATOR_SIGN_OFF,
    RATING_COMMENTS,
    TEMPLATES,
    THEME_VOCABULARY,
    VOCABULARY,
    RequestTemplate,
)
from zedline.errors import Conflict, InvalidInput
from zedline.forms.model import FieldKind
from zedline.persistence import tables as t
from zedline.persistence.database import WRITE_OPTION
from zedline.persistence.types import UTCDateTime
from zedline.portals import services as portal_services
from zedline.tickets.model import Category, EventKind, Visibility

DEMO_SLUG = "demo"
DEMO_PASSWORD = "zedline-demo"  # noqa: S105 - the published password of the demo accounts
SMALL_PORTAL_TICKETS = 20
BATCH_TICKETS = 5_000
SPAN = timedelta(days=730)
ZERO = timedelta(0)
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DATETIME in SQLite
TOPICS = {"it": "IT and accounts", "shop": "Orders and delivery", "service": "Repairs and service"}
# Real files for each attachment up to this many tickets in a portal; above it, attachments
# share a few sample files saved once per portal (downloads still work, the disk stays small).
REAL_FILES_UP_TO = 2_000
# SQLite's page cache while loading (KiB).
LOAD_CACHE_KIB = 262_144

# (callback) -> None; called with the number of tickets just written.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class DemoLogins:
    """The fixed accounts of a demo portal; all share `password`."""

    slug: str
    admin_email: str
    operator_email: str
    client_email: str
    password: str = DEMO_PASSWORD


@dataclass
class PortalSummary:
    slug: str
    created: bool
    tickets: int = 0
    messages: int = 0
    events: int = 0
    attachments: int = 0
    operators: int = 0
    clients: int = 0


@dataclass
class DemoSummary:
    portals: list[PortalSummary] = field(default_factory=list)

    @property
    def created(self) -> list[PortalSummary]:
        return [p for p in self.portals if p.created]

    @property
    def tickets(self) -> int:
        return sum(p.tickets for p in self.portals)


def logins_for(slug: str) -> DemoLogins:
    domain = f"{slug}.example.com"
    return DemoLogins(
        slug=slug,
        admin_email=f"admin@{domain}",
        operator_email=f"operator@{domain}",
        client_email=f"client@{domain}",
    )


def portal_slugs(portals: int) -> list[str]:
    return [DEMO_SLUG] + [f"{DEMO_SLUG}-{i}" for i in range(2, portals + 1)]


def default_operators(tickets: int) -> int:
    return max(3, min(50, tickets // 2000))


def default_clients(tickets: int) -> int:
    return max(20, tickets // 20)


def generate(
    zl: Zedline,
    *,
    portals: int = 1,
    tickets: int = 1000,
    seed: int = 1,
    progress: Progress | None = None,
    operators: int | None = None,
    clients: int | None = None,
) -> DemoSummary:
    """Create the demo portal `demo` with `tickets` tickets, plus `portals - 1` small ones
    (`demo-2`, ...). A portal that already exists is left as it is (reported, not changed).

    Raises:
        InvalidInput: a count is out of range.
    """
    if portals < 1:
        raise InvalidInput({"portals": "make at least one portal"})
    if tickets < 1:
        raise InvalidInput({"tickets": "make at least one ticket"})
    summary = DemoSummary()
    hasher = _OneHashPerPassword(zl.hasher)
    for index, slug in enumerate(portal_slugs(portals)):
        count = tickets if index == 0 else SMALL_PORTAL_TICKETS
        with zl.reader() as uow:
            exists = uow.portals.slug_taken(slug)
        if exists:
            summary.portals.append(PortalSummary(slug, created=False))
            if progress:
                progress(count)
            continue
        loader = _PortalLoader(
            zl,
            slug=slug,
            name="ZEDLine Demo" if index == 0 else f"ZEDLine Demo {index + 1}",
            tickets=count,
            operators=operators or default_operators(count),
            clients=clients or default_clients(count),
            rng=random.Random(f"{seed}:{slug}"),
            progress=progress,
            hasher=hasher,
        )
        summary.portals.append(loader.run())
    _analyze_all(zl)
    return summary


class _OneHashPerPassword(PasswordHasher):
    """Hashes each password once per run and hands out that hash again: every demo account
    shares the published demo password, and a thousand portals would otherwise spend minutes
    in argon2 computing the same thing."""

    def __init__(self, real: PasswordHasher) -> None:
        self._real = real
        self._hashes: dict[str, str] = {}

    def hash(self, password: str) -> str:
        if password not in self._hashes:
            self._hashes[password] = self._real.hash(password)
        return self._hashes[password]

    def verify(self, password: str, password_hash: str) -> bool:
        return self._real.verify(password, password_hash)

    def dummy_verify(self) -> None:
        self._real.dummy_verify()


def _analyze_all(zl: Zedline) -> None:
    """Give the planner statistics once the data is in. SQLite samples (analysis_limit), so
    it takes seconds at a million tickets.

    PostgreSQL gets `VACUUM (ANALYZE)`: besides the statistics it fills the visibility map
    and sets the rows' hint bits. Without it an index-only scan still visits the table for
    every row (the search window reads 300,000 message ids that way), and the first pages
    served write those hint bits themselves; autovacuum would come round to it eventually,
    where it is switched on."""
    with zl.engine.connect() as plain:
        if plain.dialect.name == "sqlite":
            conn = plain.execution_options(**{WRITE_OPTION: True})
            _pragma(conn, "analysis_limit=1000")
            conn.connection.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
        else:
            # VACUUM cannot run inside a transaction.
            plain.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE)"
            )


def ensure_demo_portal(zl: Zedline, *, tickets: int = 300, seed: int = 1) -> DemoLogins:
    """The demo portal for `zedline serve --demo`: made (small) if missing, else reused.

    Raises:
        Conflict: a portal named `demo` exists that the demo generator did not make.
    """
    logins = logins_for(DEMO_SLUG)
    with zl.reader() as uow:
        exists = uow.portals.slug_taken(DEMO_SLUG)
        if exists:
            portal = uow.portals.get_by_slug(DEMO_SLUG)
            if uow.users.find_by_email(portal.id, logins.admin_email) is None:
                raise Conflict(
                    f"a portal '{DEMO_SLUG}' exists but was not made by `zedline demo`; "
                    "delete it or serve without --demo"
                )
    if not exists:
        generate(zl, tickets=tickets, seed=seed, operators=3, clients=20)
    return logins


# -- the loader -----------------------------------------------------------------------------


# -- the loader -----------------------------------------------------------------------------


@dataclass
class _Person:
    id: int
    first_name: str


@dataclass
class _Sample:
    filename: str
    content_type: str
    key: str
    size: int


class _PortalLoader:
    def __init__(
        self,
        zl: Zedline,
        *,
        slug: str,
        name: str,
        tickets: int,
        operators: int,
        clients: int,
        rng: random.Random,
        progress: Progress | None,
        hasher: PasswordHasher,
    ) -> None:
        self.zl = zl
        self.hasher = hasher
        self.slug = slug
        self.name = name
        self.n_tickets = tickets
        self.n_operators = operators
        self.n_clients = clients
        self.rng = rng
        self.progress = progress
        self.now = zl.clock.now().replace(microsecond=0)
        self.start = self.now - SPAN
        self.logins = logins_for(slug)
        self.summary = PortalSummary(slug, created=True)
        self.saved_keys: list[str] = []
        # PostgreSQL: foreign-key and counter triggers skipped during the load (see
        # _replica_role); the counters are then recounted at the end.
        self.triggers_off = False
        self.used_bytes = 0

    def run(self) -> PortalSummary:
        provisioned = portal_services.provision_portal(
            self.zl.uow(),
            self.zl.clock,
            self.hasher,
            slug=self.slug,
            name=self.name,
            admin_email=self.logins.admin_email,
            admin_password=DEMO_PASSWORD,
            admin_first_name="Alex",
            admin_last_name="Admin",
            quota_bytes=self.zl.settings.default_quota_bytes,
        )
        self.portal_id = provisioned.portal.id
        self.admin_id = provisioned.admin.id
        try:
            with self._connection() as conn:
                self._load(conn)
        except BaseException:
            # Leave nothing half-made: a failed or interrupted load removes its portal.
            portal_services.delete_portal(self.zl.uow(), self.slug)
            for key in self.saved_keys:
                self.zl.files.delete(key)
            raise
        return self.summary

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self.zl.engine.connect() as plain:
            conn = plain.execution_options(**{WRITE_OPTION: True})
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # A bulk load that a failure removes again needs no fsync per commit, and the
                # rows it writes are consistent by construction: checking each foreign key
                # would only double the index lookups.
                _pragma(conn, "synchronous=OFF")
                _pragma(conn, "foreign_keys=OFF")
                # The indexes of a million tickets do not fit the default 2 MB page cache:
                # every insert would then read index pages back from the file.
                _pragma(conn, f"cache_size=-{LOAD_CACHE_KIB}")
            else:
                self.triggers_off = _replica_role(conn, on=True)
            try:
                yield conn
            finally:
                conn.rollback()
                if sqlite:
                    _pragma(conn, "synchronous=NORMAL")
                    _pragma(conn, "foreign_keys=ON")
                    _pragma(conn, "cache_size=-2000")
                elif self.triggers_off:
                    _replica_role(conn, on=False)

    def _load(self, conn: Connection) -> None:
        rng = self.rng
        statuses = dict(
            conn.execute(
                select(t.statuses.c.category, t.statuses.c.id).where(
                    t.statuses.c.portal_id == self.portal_id
                )
            ).all()
        )
        self.status_ids: dict[Category, int] = {Category(k): v for k, v in statuses.items()}
        conn.commit()
        with conn.begin():
            self._add_form_fields(conn)
            self._add_people(conn)
        self.samples = self._save_samples() if self.n_tickets > REAL_FILES_UP_TO else []
        times = sorted(rng.random() for _ in range(self.n_tickets))
        recent = max(30, self.n_tickets // 200)
        starts = list(range(0, self.n_tickets, BATCH_TICKETS))

        def build(first: int) -> _Batch:
            chunk = times[first : first + BATCH_TICKETS]
            return self._build_batch(conn.dialect, first, chunk, recent)

        # One thread builds the next batch (Python) while this one writes the current batch
        # (mostly in SQLite's C code or PostgreSQL's process, outside the GIL): on two cores
        # the load takes about the longer of the two halves instead of their sum.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-build") as builder:
            pending = builder.submit(build, starts[0])
            for index in range(len(starts)):
                batch = pending.result()
                if index + 1 < len(starts):
                    pending = builder.submit(build, starts[index + 1])
                with conn.begin():
                    for table, rows in batch.rows:
                        _bulk_insert(conn, table, rows)
                if index == 0 and len(starts) > 1:
                    _analyze(conn)
                self.summary.tickets += batch.tickets
                self.summary.messages += batch.messages
                self.summary.events += batch.events
                self.summary.attachments += batch.attachments
                if self.progress:
                    self.progress(batch.tickets)
        with conn.begin():
            conn.execute(
                update(t.portals)
                .where(t.portals.c.id == self.portal_id)
                .values(ticket_seq=self.n_tickets, used_bytes=self.used_bytes)
            )
            if self.triggers_off:
                _recount(conn, self.portal_id)

    def _add_form_fields(self, conn: Connection) -> None:
        ids = self.zl.ids.take(2)
        base = {
            "portal_id": self.portal_id,
            "required": False,
            "client_visible": True,
            "active": True,
        }
        conn.execute(
            insert(t.form_fields),
            [
                {
                    **base,
                    "id": ids[0],
                    "key": "topic",
                    "label": "Topic",
                    "kind": FieldKind.SELECT,
                    "position": 2,
                    "options": list(TOPICS.values()),
                    "help_text": "What is your request about?",
                },
                {
                    **base,
                    "id": ids[1],
                    "key": "reference",
                    "label": "Order or receipt number",
                    "kind": FieldKind.TEXT,
                    "position": 3,
                    "options": [],
                    "help_text": "If your request is about an order or a repair.",
                },
            ],
        )

    def _add_people(self, conn: Connection) -> None:
        rng = self.rng
        faker = Faker("en_US")
        faker.seed_instance(rng.randrange(2**32))
        pool = min(1500, self.n_clients + self.n_operators)
        firsts = [faker.first_name() for _ in range(pool)]
        lasts = [faker.last_name() for _ in range(pool)]
        password_hash = self.hasher.hash(DEMO_PASSWORD)
        created = self.start - timedelta(days=7)
        domain = f"{self.slug}.example.com"
        rows: list[dict[str, Any]] = []
        self.operators: list[_Person] = []
        self.clients: list[_Person] = []
        client_domains = ("example.com", "example.net", "example.org")
        total = self.n_operators + self.n_clients
        ids = self.zl.ids.take(total)
        for i, user_id in enumerate(ids):
            staff = i < self.n_operators
            first, last = rng.choice(firsts), rng.choice(lasts)
            if i == 0:
                first, last, email = "Olga", "Novak", self.logins.operator_email
            elif i == self.n_operators:
                first, last, email = "Chris", "Miller", self.logins.client_email
            else:
                local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
                email = (
                    f"{local}@{domain}"
                    if staff
                    else f"{local}.{i}@{client_domains[i % len(client_domains)]}"
                )
            rows.append(
                {
                    "portal_id": self.portal_id,
                    "id": user_id,
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "role": Role.OPERATOR if staff else Role.CLIENT,
                    "password_hash": password_hash,
                    "created_at": created,
                    "active": True,
                    "must_change_password": False,
                    "password_expires_at": None,
                    "last_login_at": None,
                    "auth_version": 1,
                    # The fixed demo accounts see the first-visit tour; the crowd does not.
                    "tour_done": i not in (0, self.n_operators),
                }
            )
            (self.operators if staff else self.clients).append(_Person(user_id, first))
        # Operator e-mails are first.last@: two operators may share a name; keep them unique.
        seen: set[str] = set()
        for n, row in enumerate(rows[: self.n_operators]):
            if row["email"] in seen:
                row["email"] = row["email"].replace("@", f".{n}@")
            seen.add(row["email"])
        conn.execute(insert(t.users), rows)
        self.summary.operators = self.n_operators
        self.summary.clients = self.n_clients

    def _save_samples(self) -> list[_Sample]:
        samples = []
        for filename, content_type, data in _sample_files():
            key, size = self.zl.files.save(
                self.portal_id, io.BytesIO(data), max_bytes=len(data) + 1
            )
            self.saved_keys.append(key)
            samples.append(_Sample(filename, content_type, key, size))
        return samples

    def _attachment_file(self, vals: dict[str, str]) -> _Sample:
        rng = self.rng
        if self.samples:
            return rng.choice(self.samples)
        filename, content_type, data = rng.choice(_sample_files(vals["order"]))
        key, size = self.zl.files.save(self.portal_id, io.BytesIO(data), max_bytes=len(data) + 1)
        self.saved_keys.append(key)
        return _Sample(filename, content_type, key, size)

    def _build_batch(  # noqa: C901, PLR0912, PLR0915 - one pass builds a ticket's whole story
        self, dialect: Dialect, first_number: int, times: list[float], recent: int
    ) -> _Batch:
        rng = self.rng
        now = self.now
        span = (now - self.start).total_seconds()
        st = self.status_ids
        tickets: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        attachments: list[dict[str, Any]] = []
        ticket_ids = self.zl.ids.take(len(times))
        n_clients = len(self.clients)
        for offset, fraction in enumerate(times):
            number = first_number + offset + 1
            ticket_id = ticket_ids[offset]
            created = self.start + timedelta(seconds=int(fraction * span))
            tpl: RequestTemplate = rng.choice(TEMPLATES)
            # A few clients write much more often than most (a long tail).
            client = self.clients[int(n_clients * rng.random() ** 2.2)]
            operator = rng.choice(self.operators)
            vals = {k: rng.choice(v) for k, v in VOCABULARY.items()}
            for key, words in THEME_VOCABULARY.get(tpl.theme, {}).items():
                vals[key] = rng.choice(words)
            vals["order"] = str(rng.randint(100_000, 999_999))
            vals["number"] = str(rng.randint(100, 999))
            vals["name"] = client.first_name
            vals["op"] = operator.first_name
            category = _pick_category(rng, is_recent=self.n_tickets - number < recent)

            # The conversation, as far as the ticket's state says it went.
            lines: list[tuple[str, str]] = []
            if category is not Category.NEW:
                full = list(tpl.exchanges)
                if category in (Category.RESOLVED, Category.CLOSED):
                    lines = [*full, (OPERATOR, tpl.solution)]
                    if category is Category.CLOSED and rng.random() < 0.4:  # noqa: PLR2004
                        lines.append((CLIENT, rng.choice(CLIENT_THANKS)))
                elif category is Category.WAITING:
                    cuts = [i + 1 for i, (who, _) in enumerate(full) if who == OPERATOR]
                    lines = full[: rng.choice(cuts)] if cuts else full[:1]
                else:
                    cuts = [i + 1 for i, (who, _) in enumerate(full) if who != OPERATOR]
                    lines = full[: rng.choice(cuts)] if cuts else full[:1]

            at = created
            stamps: list[datetime] = []
            for who, _ in lines:
                mean = 7200 if who == CLIENT else 3 * 3600 if not stamps else 2 * 3600
                at = at + timedelta(seconds=60 + int(rng.expovariate(1 / mean)))
                stamps.append(at)
            # The newest tickets cannot have a future: cut the story at "now".
            while stamps and stamps[-1] > now:
                stamps.pop()
                lines.pop()
                if category in (Category.RESOLVED, Category.CLOSED):
                    category = Category.OPEN
            if category is not Category.NEW and not any(w == OPERATOR for w, _ in lines):
                category = Category.NEW if not lines else Category.OPEN

            assignee = operator.id if category is not Category.NEW else None
            story = _Story(self.portal_id, ticket_id, events, created)
            first_response = None
            desc_id = self.zl.ids.next_id()
            messages.append(
                _message(
                    self.portal_id,
                    desc_id,
                    ticket_id,
                    client.id,
                    Visibility.PUBLIC,
                    tpl.description.format(**vals),
                    created,
                )
            )
            for (who, text), stamp in zip(lines, stamps, strict=True):
                body = text.format(**vals)
                if who == CLIENT:
                    author, vis = client.id, Visibility.PUBLIC
                elif who == OPERATOR:
                    author, vis = operator.id, Visibility.PUBLIC
                    body += OPERATOR_SIGN_OFF.format(**vals)
                    first_response = first_response or stamp
                else:
                    author, vis = operator.id, Visibility.INTERNAL
                messages.append(_message(self.portal_id, 0, ticket_id, author, vis, body, stamp))
                story.touch(stamp, public=vis is Visibility.PUBLIC)

            story.event(EventKind.CREATED, created, client.id, public=True)
            resolved_at = closed_at = None
            rating = None
            rating_comment = ""
            deadline = deadline_notified = None
            if category is not Category.NEW:
                work_from = first_response or stamps[0]
                taken_at = work_from - timedelta(seconds=rng.randint(30, 600))
                taken_at = max(taken_at, created + timedelta(seconds=1))
                story.event(
                    EventKind.TAKEN,
                    taken_at,
                    operator.id,
                    public=False,
                    assignee_id=operator.id,
                    previous_assignee_id=None,
                )
                story.event(
                    EventKind.STATUS_CHANGED,
                    taken_at,
                    operator.id,
                    public=True,
                    old_status_id=st[Category.NEW],
                    new_status_id=st[Category.OPEN],
                )
                if rng.random() < 0.15:  # noqa: PLR2004
                    deadline = created + timedelta(hours=rng.randint(24, 24 * 7))
                    story.event(
                        EventKind.DEADLINE_SET,
                        taken_at,
                        operator.id,
                        public=False,
                        deadline=deadline.isoformat(),
                    )
                    if deadline < now:
                        # Already announced: the worker must not mail about years-old deadlines.
                        deadline_notified = deadline
                last = stamps[-1]
                if category is Category.WAITING:
                    story.event(
                        EventKind.STATUS_CHANGED,
                        last,
                        operator.id,
                        public=True,
                        old_status_id=st[Category.OPEN],
                        new_status_id=st[Category.WAITING],
                    )
                if category in (Category.RESOLVED, Category.CLOSED):
                    solution_at = (
                        stamps[len(tpl.exchanges)] if len(stamps) > len(tpl.exchanges) else last
                    )
                    resolved_at = solution_at
                    story.event(
                        EventKind.STATUS_CHANGED,
                        resolved_at,
                        operator.id,
                        public=True,
                        old_status_id=st[Category.OPEN],
                        new_status_id=st[Category.RESOLVED],
                    )
                    if category is Category.CLOSED:
                        confirmed = rng.random() < 0.6  # noqa: PLR2004
                        closed_at = max(last, resolved_at) + timedelta(
                            seconds=rng.randint(600, 3 * 86400)
                        )
                        if closed_at > now:
                            category, closed_at = Category.RESOLVED, None
                        else:
                            story.event(
                                EventKind.STATUS_CHANGED,
                                closed_at,
                                client.id if confirmed else operator.id,
                                public=True,
                                old_status_id=st[Category.RESOLVED],
                                new_status_id=st[Category.CLOSED],
                            )
                            if rng.random() < 0.45:  # noqa: PLR2004
                                rating = rng.choices((5, 4, 3, 2, 1), (55, 25, 10, 5, 5))[0]
                                rating_comment = rng.choice(RATING_COMMENTS)
                                story.event(
                                    EventKind.RATED,
                                    closed_at + timedelta(seconds=rng.randint(5, 600)),
                                    client.id,
                                    public=True,
                                    rating=rating,
                                )
            if rng.random() < 0.05:  # noqa: PLR2004
                sample = self._attachment_file(vals)
                self.used_bytes += sample.size
                attachments.append({
                    "portal_id": self.portal_id, "id": 0, "ticket_id": ticket_id,
                    "message_id": desc_id, "uploader_id": client.id,
                    "filename": sample.filename, "content_type": sample.content_type,
                    "size": sample.size, "storage_key": sample.key, "created_at": created,
                    "visibility": Visibility.PUBLIC,
                })  # fmt: skip
            answers: dict[str, str] = {"topic": TOPICS[tpl.theme]}
            if tpl.theme != "it":
                answers["reference"] = vals["order"]
            tickets.append({
                "portal_id": self.portal_id, "id": ticket_id, "number": number,
                "subject": tpl.subject.format(**vals), "status_id": st[category],
                "category": category, "requester_id": client.id, "assignee_id": assignee,
                "deadline": deadline, "answers": answers, "created_at": created,
                "updated_at": story.updated_at, "public_updated_at": story.public_updated_at,
                "first_response_at": first_response, "resolved_at": resolved_at,
                "closed_at": closed_at, "rating": rating, "rating_comment": rating_comment,
                "deadline_notified_at": deadline_notified, "version": 1,
            })  # fmt: skip
        for rows in (messages, events, attachments):
            missing = [row for row in rows if row["id"] == 0]
            for row, new_id in zip(missing, self.zl.ids.take(len(missing)), strict=True):
                row["id"] = new_id
        tables = ((t.tickets, tickets), (t.messages, messages), (t.ticket_events, events),
                  (t.attachments, attachments))  # fmt: skip
        return _Batch(
            rows=[(table, _prepare(dialect, table, rows)) for table, rows in tables if rows],
            tickets=len(tickets),
            messages=len(messages),
            events=len(events),
            attachments=len(attachments),
        )


@dataclass
class _Batch:
    """Rows ready for `_bulk_insert`, per table, and how many of each."""

    rows: list[tuple[Table, list[Any]]]
    tickets: int
    messages: int
    events: int
    attachments: int


class _Story:
    """A ticket's history as it is written: its events, and its latest activity."""

    def __init__(
        self, portal_id: int, ticket_id: int, events: list[dict[str, Any]], created: datetime
    ) -> None:
        self.portal_id = portal_id
        self.ticket_id = ticket_id
        self.events = events
        self.updated_at = self.public_updated_at = created

    def touch(self, at: datetime, *, public: bool) -> None:
        self.updated_at = max(self.updated_at, at)
        if public:
            self.public_updated_at = max(self.public_updated_at, at)

    def event(
        self, kind: EventKind, at: datetime, actor: int | None, *, public: bool, **data: Any
    ) -> None:
        self.events.append({
            "portal_id": self.portal_id, "id": 0, "ticket_id": self.ticket_id, "kind": kind,
            "created_at": at, "actor_id": actor, "public": public, "data": data,
        })  # fmt: skip
        self.touch(at, public=public)


def _prepare(dialect: Dialect, table: Table, rows: list[dict[str, Any]]) -> list[Any]:
    """The rows as `_bulk_insert` writes them: on SQLite, tuples of stored values (converted
    with the columns' own bind processors, so the stored form is exactly what
    `insert(table)` would have written); on PostgreSQL the dicts, which COPY converts."""
    if dialect.name == "postgresql":
        return rows
    get = itemgetter(*[c.name for c in table.columns])
    convert = [
        (i, fn) for i, fn in enumerate(_sqlite_converter(c, dialect) for c in table.columns) if fn
    ]
    data: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(get(row))
        for i, fn in convert:
            value = values[i]
            if value is not None:
                values[i] = fn(value)
        data.append(tuple(values))
    return data


def _bulk_insert(conn: Connection, table: Table, rows: list[Any]) -> None:
    """Insert rows made by `_prepare`: COPY on PostgreSQL, on SQLite one executemany of the
    statement `insert(table)` compiles to."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, rows)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=columns)
    if compiled.positiontup != columns:  # pragma: no cover - a positional dialect keeps order
        msg = "unexpected parameter order"
        raise RuntimeError(msg)
    conn.exec_driver_sql(str(compiled), rows)


def _sqlite_converter(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's own bind processor, with a shortcut for UTC datetimes: the text SQLite
    stores for them, written directly (the same text; `UTCDateTime` and SQLite's `DATETIME`
    processors cost most of the load's Python time at a million tickets)."""
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None or not isinstance(column.type, UTCDateTime):
        return processor

    def convert(value: datetime) -> Any:
        if value.utcoffset() == ZERO:
            return value.strftime(SQLITE_DATETIME)
        return processor(value)

    return convert


def _copy(conn: Connection, table: Table, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from psycopg.types.json import Jsonb  # noqa: PLC0415 - PostgreSQL only

    def convert(column_type: object) -> Callable[[Any], Any]:
        if isinstance(column_type, Enum):
            return lambda v: None if v is None else v.value
        if isinstance(column_type, JSON):
            return Jsonb
        return lambda v: v

    converters = [convert(c.type) for c in table.columns]
    driver = conn.connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with (
        driver.cursor() as cursor,  # type: ignore[union-attr]
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([fn(row[name]) for name, fn in zip(columns, converters, strict=True)])


def _replica_role(conn: Connection, *, on: bool) -> bool:
    """PostgreSQL: skip (or again run) the row triggers of this session, the foreign-key
    checks among them, as SQLite's `foreign_keys=OFF` does: the load writes consistent rows
    by construction, and each message would otherwise cost three index lookups in the
    server. Needs a superuser; without one the load simply keeps its triggers. Returns
    whether the triggers are off."""
    conn.rollback()
    try:
        conn.exec_driver_sql(f"SET session_replication_role = {'replica' if on else 'origin'}")
        conn.commit()
    except DBAPIError:
        conn.rollback()
        return False
    return on


def _recount(conn: Connection, portal_id: int) -> None:
    """Rebuild a portal's ticket_counts (what the triggers keep) from its tickets."""
    conn.exec_driver_sql("DELETE FROM ticket_counts WHERE portal_id = %(p)s", {"p": portal_id})
    conn.exec_driver_sql(
        "INSERT INTO ticket_counts (portal_id, assignee_id, category, n)"
        " SELECT portal_id, coalesce(assignee_id, 0), category, count(*) FROM tickets"
        " WHERE portal_id = %(p)s GROUP BY portal_id, coalesce(assignee_id, 0), category",
        {"p": portal_id},
    )


def _analyze(conn: Connection) -> None:
    """Refresh the planner's statistics of the tables the load fills.

    On PostgreSQL this matters during the load itself: the foreign-key checks plan their
    lookups once per connection, and a plan made while `tickets` looked empty scans the whole
    table for every message, which makes the load quadratic. Fresh statistics replan them.
    """
    if conn.dialect.name != "postgresql":
        return
    names = ", ".join(
        f'"{table.name}"'
        for table in (t.users, t.tickets, t.messages, t.ticket_events, t.attachments)
    )
    with conn.begin():
        conn.exec_driver_sql(f"ANALYZE {names}")


def _pragma(conn: Connection, setting: str) -> None:
    # On the driver connection: a PRAGMA must run outside the transaction SQLAlchemy opens.
    conn.connection.driver_connection.execute(f"PRAGMA {setting}")  # type: ignore[union-attr]


def _message(
    portal_id: int,
    message_id: int,
    ticket_id: int,
    author_id: int,
    visibility: Visibility,
    body: str,
    at: datetime,
) -> dict[str, Any]:
    return {
        "portal_id": portal_id,
        "id": message_id,
        "ticket_id": ticket_id,
        "author_id": author_id,
        "visibility": visibility,
        "body": body,
        "created_at": at,
    }


def _pick_category(rng: random.Random, *, is_recent: bool) -> Category:
    """Most of the history is closed; the newest tickets are still being worked."""
    r = rng.random()
    if is_recent:
        bounds = ((0.2, Category.NEW), (0.5, Category.OPEN), (0.65, Category.WAITING),
                  (0.85, Category.RESOLVED))  # fmt: skip
    else:
        bounds = ((0.001, Category.NEW), (0.002, Category.OPEN), (0.003, Category.WAITING),
                  (0.05, Category.RESOLVED))  # fmt: skip
    for bound, category in bounds:
        if r < bound:
            return category
    return Category.CLOSED


def _sample_files(reference: str = "sample") -> list[tuple[str, str, bytes]]:
    log = (
        f"2025-03-14 09:12:01 INFO  starting sync (ref {reference})\n"
        "2025-03-14 09:12:03 WARN  retrying connection (1/3)\n"
        "2025-03-14 09:12:09 ERROR connection reset by peer\n"
    ).encode()
    return [
        ("screenshot.png", "image/png", _png(96, 64)),
        ("error-log.txt", "text/plain", log),
    ]


def _png(width: int, height: int) -> bytes:
    """A small real PNG (a soft gradient), so a downloaded demo screenshot opens."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (40 + x, 90 + y, 160))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
