"""Statistics pages: the portal's figures for admins, and each operator's own figures.

The figures come from `zedline.tickets.statistics` (aggregated by the database); this module
chooses the period, draws the charts (`zedline_web.charts`) and formats the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_skeleton
from litestar import Request, Response, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from zedline.errors import InvalidInput, NotFound
from zedline.i18n import N_, translations
from zedline.tickets.statistics import (
    OperatorFigures,
    Period,
    Statistics,
    portal_statistics,
    to_csv,
)
from zedline_web.charts import Bar, BarChart, DayChart
from zedline_web.context import ActorDep, PortalDep, PortalInfo, ZlDep
from zedline_web.forms import admin_only
from zedline_web.templating import render

DEFAULT_PRESET = "30d"
PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}
PRESETS = ("7d", "30d", "90d", "year")
SORTS = ("name", "taken", "closed", "response", "rating")
DAY = 86400
# `from` and `range` are Python words: the handlers name them differently.
StartParam = Annotated[str | None, QueryParameter(name="from")]
PresetParam = Annotated[str | None, QueryParameter(name="range")]


# -- the period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The period shown, how it was asked for, and what was wrong with the request."""

    period: Period
    preset: str | None  # None: dates typed by the user
    start_text: str  # what the date fields show
    end_text: str
    error: str | None = None


def _zone_name(portal: PortalInfo) -> str:
    try:
        ZoneInfo(portal.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return portal.timezone or "UTC"


def _preset(key: str, today: date) -> Period:
    if key == "year":
        return Period(today.replace(month=1, day=1), today)
    return Period(today - timedelta(days=PRESET_DAYS[key] - 1), today)


def choose_period(today: date, preset: str | None, start: str | None, end: str | None) -> Choice:
    """The period a page asked for: typed dates win over a preset; anything wrong shows the
    default (the last 30 days) with a message."""
    start, end, preset = (start or "").strip(), (end or "").strip(), (preset or "").strip()
    if start or end:
        try:
            return Choice(Period.parse(start, end), None, start, end)
        except InvalidInput as exc:
            default = _preset(DEFAULT_PRESET, today)
            return Choice(default, DEFAULT_PRESET, start, end, exc.errors.get("period"))
    if preset and preset not in PRESETS:
        default = _preset(DEFAULT_PRESET, today)
        return Choice(
            default,
            DEFAULT_PRESET,
            default.start.isoformat(),
            default.end.isoformat(),
            N_("choose one of the periods offered"),
        )
    key = preset or DEFAULT_PRESET
    period = _preset(key, today)
    return Choice(period, key, period.start.isoformat(), period.end.isoformat())


# -- formatting ------------------------------------------------------------------------------


def human_duration(seconds: float | None, lang: str) -> str:  # noqa: PLR0911 - one per wording
    """A duration as people say it: "45 min", "2 h 15 min", "1 day 4 h", "3 days"."""
    tr = translations(lang)
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 1:
        return tr.gettext("under a minute")
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        if not hours:
            return tr.gettext("%(m)d min") % {"m": rest}
        if not rest:
            return tr.gettext("%(h)d h") % {"h": hours}
        return tr.gettext("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    days, rest_seconds = divmod(round(seconds), DAY)
    hours = round(rest_seconds / 3600)
    if hours == 24:  # noqa: PLR2004
        days, hours = days + 1, 0
    whole = tr.ngettext("%(d)d day", "%(d)d days", days) % {"d": days}
    if days < 3 and hours:  # noqa: PLR2004 - past three days the hours are noise
        return tr.gettext("%(days)s %(h)d h") % {"days": whole, "h": hours}
    return whole


def _sorted(operators: list[OperatorFigures], key: str) -> list[OperatorFigures]:
    """Counts and ratings: highest first; response time: fastest first; no value: last."""
    if key == "taken":
        return sorted(operators, key=lambda o: -o.taken)
    if key == "closed":
        return sorted(operators, key=lambda o: -o.closed)
    if key == "response":
        return sorted(
            operators,
            key=lambda o: (o.median_response_seconds is None, o.median_response_seconds or 0),
        )
    if key == "rating":
        return sorted(operators, key=lambda o: (o.average_rating is None, -(o.average_rating or 0)))
    return operators  # already by name


# -- the page --------------------------------------------------------------------------------


def _charts(stats: Statistics, lang: str) -> dict[str, Any]:
    tr = translations(lang)
    _ = tr.gettext
    labels = [format_skeleton("MMMd", d.day, locale=lang) for d in stats.per_day]
    created = [d.created for d in stats.per_day]
    closed = [d.closed for d in stats.per_day]
    title = _("Requests created and closed per day")
    desc = _(
        "%(created)d requests created and %(closed)d closed between %(start)s and %(end)s."
    ) % {
        "created": stats.created_total,
        "closed": stats.closed_total,
        "start": format_date(stats.period.start, "long", locale=lang),
        "end": format_date(stats.period.end, "long", locale=lang),
    }
    common: dict[str, Any] = {
        "labels": labels,
        "bars": created,
        "line": closed,
        "bars_name": _("Created"),
        "line_name": _("Closed"),
        "title": title,
        "desc": desc,
        "empty_text": _("No requests were created or closed in this period"),
    }
    open_rows = [Bar(label, n, category) for category, label, n in stats.open_by_status]
    open_total = sum(r.value for r in open_rows)
    rating_total = sum(stats.ratings.values())
    star_rows = [
        Bar(tr.ngettext("%(n)d star", "%(n)d stars", s) % {"n": s}, stats.ratings.get(s, 0), "star")
        for s in range(5, 0, -1)
    ]
    return {
        "days_wide": DayChart(**common, uid="days-wide").render(),
        "days_narrow": DayChart(
            **common, width=360, height=240, ticks=3, uid="days-narrow"
        ).render(),
        "open": BarChart(
            open_rows,
            _("Open requests by status"),
            tr.ngettext("%(n)d open request", "%(n)d open requests", open_total)
            % {"n": open_total},
            _("No open requests"),
            uid="open",
        ).render(),
        "ratings": BarChart(
            star_rows,
            _("Ratings"),
            tr.ngettext("%(n)d rating", "%(n)d ratings", rating_total) % {"n": rating_total},
            _("No ratings in this period"),
            uid="ratings",
        ).render(),
    }


def _page_link(base: str, choice: Choice, **extra: str) -> str:
    params = {"from": choice.period.start.isoformat(), "to": choice.period.end.isoformat()}
    params.update(extra)
    return f"{base}?{urlencode(params)}"


def _render_stats(
    request: Request[Any, Any, Any],
    portal: PortalInfo,
    zl: Any,
    actor: Any,
    *,
    own: bool,
    preset: str | None,
    start: str | None,
    end: str | None,
    sort: str | None,
) -> Template:
    tz = _zone_name(portal)
    today = zl.clock.now().astimezone(ZoneInfo(tz)).date()
    choice = choose_period(today, preset, start, end)
    with zl.reader() as uow:
        stats = portal_statistics(
            uow, actor, choice.period, tz, operator_id=actor.id if own else None
        )
    sort_key = sort if sort in SORTS else "name"
    base = f"/p/{portal.slug}/stats" if own else f"/p/{portal.slug}/admin/stats"
    lang = portal.language

    def link(**extra: str) -> str:
        return _page_link(base, choice, **extra)

    def duration(seconds: float | None) -> str:
        return human_duration(seconds, lang)

    def day(value: date) -> str:
        return format_date(value, "medium", locale=lang)

    me = next((o for o in stats.operators if o.user_id == actor.id), None)
    return render(
        request,
        "stats_me.html" if own else "admin/stats.html",
        portal=portal,
        section="stats",
        stats=stats,
        choice=choice,
        presets=PRESETS,
        charts=_charts(stats, lang),
        operators=_sorted(list(stats.operators), sort_key),
        sort=sort_key,
        me=me,
        base=base,
        link=link,
        csv_url=_page_link(f"{base}.csv", choice),
        duration=duration,
        day=day,
        tz_name=tz,
        own=own,
    )


def _csv(
    portal: PortalInfo,
    zl: Any,
    actor: Any,
    *,
    own: bool,
    start: str | None,
    end: str | None,
) -> Response[str] | Redirect:
    tz = _zone_name(portal)
    today = zl.clock.now().astimezone(ZoneInfo(tz)).date()
    choice = choose_period(today, None, start, end)
    page = f"/p/{portal.slug}/stats" if own else f"/p/{portal.slug}/admin/stats"
    if choice.error or choice.preset is not None:
        # Without a valid period there is nothing to download: the page says what is wrong.
        query = urlencode({"from": start or "", "to": end or ""})
        return Redirect(f"{page}?{query}", status_code=303)
    with zl.reader() as uow:
        stats = portal_statistics(
            uow, actor, choice.period, tz, operator_id=actor.id if own else None
        )
    who = f"{portal.slug}-mine" if own else portal.slug
    name = f"statistics-{who}-{choice.period.start.isoformat()}-{choice.period.end.isoformat()}.csv"
    return Response(
        to_csv(stats),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/p/{slug:str}/admin/stats", sync_to_thread=True, name="admin_stats")
def admin_stats(
    request: Request[Any, Any, Any],
    portal: PortalDep,
    actor: ActorDep,
    zl: ZlDep,
    preset: PresetParam = None,
    start: StartParam = None,
    to: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
) -> Template:
    admin_only(actor)
    return _render_stats(
        request, portal, zl, actor, own=False, preset=preset, start=start, end=to, sort=sort
    )


@get("/p/{slug:str}/admin/stats.csv", sync_to_thread=True, name="admin_stats_csv")
def admin_stats_csv(
    portal: PortalDep,
    actor: ActorDep,
    zl: ZlDep,
    start: StartParam = None,
    to: FromQuery[str | None] = None,
) -> Response[str] | Redirect:
    admin_only(actor)
    return _csv(portal, zl, actor, own=False, start=start, end=to)


@get("/p/{slug:str}/stats", sync_to_thread=True, name="my_stats")
def my_stats(
    request: Request[Any, Any, Any],
    portal: PortalDep,
    actor: ActorDep,
    zl: ZlDep,
    preset: PresetParam = None,
    start: StartParam = None,
    to: FromQuery[str | None] = None,
) -> Template:
    if not actor.is_staff:
        raise NotFound(N_("no such page"))
    return _render_stats(
        request, portal, zl, actor, own=True, preset=preset, start=start, end=to, sort=None
    )


@get("/p/{slug:str}/stats.csv", sync_to_thread=True, name="my_stats_csv")
def my_stats_csv(
    portal: PortalDep,
    actor: ActorDep,
    zl: ZlDep,
    start: StartParam = None,
    to: FromQuery[str | None] = None,
) -> Response[str] | Redirect:
    if not actor.is_staff:
        raise NotFound(N_("no such page"))
    return _csv(portal, zl, actor, own=True, start=start, end=to)


ROUTES: list[Any] = [admin_stats, admin_stats_csv, my_stats, my_stats_csv]
