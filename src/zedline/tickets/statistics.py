"""Statistics of a portal over a period, aggregated in the database (never row by row here).

Days are the portal's days: on PostgreSQL through `AT TIME ZONE`, on SQLite through the zone's
UTC offset at the start of the period (SQLite knows no time zones; a DST change inside the
period shifts that part by an hour).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, literal_column, select

from zedline.accounts.model import Role, User
from zedline.errors import InvalidInput
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets.model import Category, EventKind

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive (portal time zone)
    end: date  # last day, inclusive

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        try:
            period = cls(date.fromisoformat(start), date.fromisoformat(end))
        except ValueError:
            raise InvalidInput({"period": "enter dates as YYYY-MM-DD"}) from None
        if period.end < period.start:
            raise InvalidInput({"period": "the period ends before it starts"})
        if (period.end - period.start).days >= MAX_DAYS:
            raise InvalidInput({"period": f"choose at most {MAX_DAYS} days"})
        return period

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz)
        lo = datetime.combine(self.start, time.min, zone).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time.min, zone).astimezone(UTC)
        return lo, hi

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    closed: int


@dataclass(frozen=True)
class OperatorFigures:
    user_id: int
    name: str
    taken: int
    closed: int
    median_response_seconds: float | None
    average_rating: float | None


@dataclass(frozen=True)
class Statistics:
    period: Period
    per_day: list[DayCount]
    open_by_status: list[tuple[str, str, int]]  # (category, operator label, count)
    median_first_response_seconds: float | None
    median_resolution_seconds: float | None
    ratings: dict[int, int]  # stars -> count
    average_rating: float | None
    operators: list[OperatorFigures]

    @property
    def created_total(self) -> int:
        return sum(d.created for d in self.per_day)

    @property
    def closed_total(self) -> int:
        return sum(d.closed for d in self.per_day)


def _day(
    uow: UnitOfWork, column: ColumnElement[datetime], tz: str, at: datetime
) -> ColumnElement[Any]:
    if uow.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz, column))
    offset = ZoneInfo(tz).utcoffset(at.replace(tzinfo=None)) or timedelta()
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")


def _seconds(
    uow: UnitOfWork, later: ColumnElement[Any], earlier: ColumnElement[Any]
) -> ColumnElement[Any]:
    if uow.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", literal_column(f"({later} - {earlier})"))
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _median(
    uow: UnitOfWork, value: ColumnElement[Any], *where: ColumnElement[bool]
) -> float | None:
    """The median of `value` over the rows `where` selects, computed by the database."""
    if uow.session.get_bind().dialect.name == "postgresql":
        got = uow.session.scalar(
            select(func.percentile_cont(0.5).within_group(value)).where(*where)
        )
        return float(got) if got is not None else None
    count = uow.session.scalar(select(func.count()).select_from(t.tickets).where(*where)) or 0
    if count == 0:
        return None
    # SQLite has no percentile function: the mean of the one or two middle rows of the sorted
    # values (what PostgreSQL's percentile_cont(0.5) answers).
    middle = (
        select(value.label("v"))
        .select_from(t.tickets)
        .where(*where)
        .order_by(value)
        .limit(2 - count % 2)
        .offset((count - 1) // 2)
        .subquery()
    )
    got = uow.session.scalar(select(func.avg(middle.c.v)))
    return float(got) if got is not None else None


def _medians_by(
    uow: UnitOfWork,
    key: ColumnElement[Any],
    value: ColumnElement[Any],
    *where: ColumnElement[bool],
) -> dict[Any, float]:
    """The median of `value` for each `key`, in one query."""
    if uow.session.get_bind().dialect.name == "postgresql":
        rows = uow.session.execute(
            select(key, func.percentile_cont(0.5).within_group(value)).where(*where).group_by(key)
        ).all()
        return {k: float(v) for k, v in rows if v is not None}
    # SQLite: number the sorted values of each key and average the one or two middle ones.
    ranked = (
        select(
            key.label("k"),
            value.label("v"),
            func.row_number().over(partition_by=key, order_by=value).label("rn"),
            func.count().over(partition_by=key).label("n"),
        )
        .select_from(t.tickets)
        .where(*where)
        .subquery()
    )
    r = ranked.c
    rows = uow.session.execute(
        select(r.k, func.avg(r.v)).where(r.rn.between((r.n + 1) // 2, (r.n + 2) // 2)).group_by(r.k)
    ).all()
    return {k: float(v) for k, v in rows if v is not None}


def _on(counts: dict[Any, int], day: date) -> int:
    # PostgreSQL answers dates, SQLite ISO strings.
    return int(counts.get(day, counts.get(day.isoformat(), 0)))


def portal_statistics(
    uow: UnitOfWork, actor: User, period: Period, tz: str, *, operator_id: int | None = None
) -> Statistics:
    """Figures of the actor's portal; an operator only ever gets their own figures.

    Raises:
        PermissionDenied: a client.
    """
    actor.require_staff("see statistics")
    if not actor.is_admin:
        operator_id = actor.id
    pid = actor.portal_id
    lo, hi = period.bounds(tz)
    tk = t.tickets.c
    mine: list[ColumnElement[bool]] = [tk.assignee_id == operator_id] if operator_id else []

    created_day = _day(uow, tk.created_at, tz, lo)
    created: dict[Any, int] = dict(
        uow.session.execute(
            select(created_day, func.count())
            .where(tk.portal_id == pid, tk.created_at >= lo, tk.created_at < hi, *mine)
            .group_by(created_day)
        ).all()
    )
    closed_day = _day(uow, tk.closed_at, tz, lo)
    closed: dict[Any, int] = dict(
        uow.session.execute(
            select(closed_day, func.count())
            .where(tk.portal_id == pid, tk.closed_at >= lo, tk.closed_at < hi, *mine)
            .group_by(closed_day)
        ).all()
    )
    per_day = [DayCount(d, _on(created, d), _on(closed, d)) for d in period.days()]

    st = t.statuses.c
    open_by_status = [
        (str(cat), str(label), int(n))
        for cat, label, n in uow.session.execute(
            select(st.category, st.operator_label, func.count(tk.id))
            .join(t.tickets, and_(tk.portal_id == st.portal_id, tk.status_id == st.id))
            .where(
                st.portal_id == pid,
                tk.category.in_([Category.NEW, Category.OPEN, Category.WAITING]),
                *mine,
            )
            .group_by(st.id, st.category, st.operator_label, st.position)
            .order_by(st.position)
        )
    ]

    in_period = [tk.portal_id == pid, tk.created_at >= lo, tk.created_at < hi, *mine]
    first_response = _median(
        uow,
        _seconds(uow, tk.first_response_at, tk.created_at),
        *in_period,
        tk.first_response_at.is_not(None),
    )
    resolution = _median(
        uow,
        _seconds(uow, tk.resolved_at, tk.created_at),
        tk.portal_id == pid,
        tk.resolved_at >= lo,
        tk.resolved_at < hi,
        *mine,
    )

    rated = [
        tk.portal_id == pid,
        tk.closed_at >= lo,
        tk.closed_at < hi,
        tk.rating.is_not(None),
        *mine,
    ]
    ratings = {
        int(k): int(v)
        for k, v in uow.session.execute(
            select(tk.rating, func.count()).where(*rated).group_by(tk.rating)
        ).all()
    }
    total = sum(ratings.values())
    average = sum(k * v for k, v in ratings.items()) / total if total else None

    return Statistics(
        period,
        per_day,
        open_by_status,
        first_response,
        resolution,
        ratings,
        average,
        _operator_figures(uow, pid, lo, hi, operator_id),
    )


def _operator_figures(
    uow: UnitOfWork, pid: int, lo: datetime, hi: datetime, operator_id: int | None
) -> list[OperatorFigures]:
    tk, ev, us = t.tickets.c, t.ticket_events.c, t.users.c
    staff = select(us.id, us.first_name, us.last_name).where(
        us.portal_id == pid, us.role.in_([Role.ADMIN, Role.OPERATOR])
    )
    if operator_id:
        staff = staff.where(us.id == operator_id)
    people = uow.session.execute(staff.order_by(us.last_name, us.first_name)).all()
    taken: dict[Any, int] = dict(
        uow.session.execute(
            select(ev.actor_id, func.count())
            .where(
                ev.portal_id == pid,
                ev.kind == EventKind.TAKEN,
                ev.created_at >= lo,
                ev.created_at < hi,
                *([ev.actor_id == operator_id] if operator_id else []),
            )
            .group_by(ev.actor_id)
        ).all()
    )
    closed_rows = uow.session.execute(
        select(tk.assignee_id, func.count(), func.avg(tk.rating))
        .where(
            tk.portal_id == pid,
            tk.closed_at >= lo,
            tk.closed_at < hi,
            *([tk.assignee_id == operator_id] if operator_id else [tk.assignee_id.is_not(None)]),
        )
        .group_by(tk.assignee_id)
    ).all()
    closed = {r[0]: (int(r[1]), float(r[2]) if r[2] is not None else None) for r in closed_rows}
    mine = [tk.assignee_id == operator_id] if operator_id else [tk.assignee_id.is_not(None)]
    response = _medians_by(
        uow,
        tk.assignee_id,
        _seconds(uow, tk.first_response_at, tk.created_at),
        tk.portal_id == pid,
        tk.created_at >= lo,
        tk.created_at < hi,
        tk.first_response_at.is_not(None),
        *mine,
    )
    figures = []
    for uid, first, last in people:
        n_closed, avg = closed.get(uid, (0, None))
        figures.append(
            OperatorFigures(
                uid, f"{first} {last}", int(taken.get(uid, 0)), n_closed, response.get(uid), avg
            )
        )
    return figures


def to_csv(stats: Statistics) -> str:
    """The figures as CSV: one row per day, then the summary and per-operator rows."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["day", "created", "closed"])
    for d in stats.per_day:
        w.writerow([d.day.isoformat(), d.created, d.closed])
    w.writerow([])
    w.writerow(["figure", "value"])
    w.writerow(["median first response (seconds)", _num(stats.median_first_response_seconds)])
    w.writerow(["median resolution (seconds)", _num(stats.median_resolution_seconds)])
    w.writerow(["average rating", _num(stats.average_rating)])
    for stars in range(1, 6):
        w.writerow([f"ratings {stars}", stats.ratings.get(stars, 0)])
    w.writerow([])
    w.writerow(["operator", "taken", "closed", "median response (seconds)", "average rating"])
    for o in stats.operators:
        w.writerow(
            [o.name, o.taken, o.closed, _num(o.median_response_seconds), _num(o.average_rating)]
        )
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


__all__ = ["Period", "Statistics", "portal_statistics", "to_csv"]
