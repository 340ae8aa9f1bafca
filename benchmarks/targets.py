"""Prints, as JSON, the ids the benchmark needs from the data set (run with its environment).

`targets.py --pending` prints instead how many e-mails wait in the outbox (the benchmark lets
the worker deliver them before it measures, so a previous run's mail does not compete)."""

from __future__ import annotations

import json
import sys

from sqlalchemy import func, select

from zedline import Settings, build
from zedline.accounts.model import Role
from zedline.persistence import tables as t


def main(slug: str) -> None:
    zl = build(Settings())
    with zl.reader() as uow:
        portal = uow.portals.get_by_slug(slug)
        s = uow.session
        m, tk = t.messages.c, t.tickets.c
        # Among the newest closed tickets (the longest conversations), the one with the most
        # messages up to ten; the benchmark tops it up to exactly ten with replies.
        recent = (
            select(tk.id)
            .where(tk.portal_id == portal.id, tk.category == "closed")
            .order_by(tk.id.desc())
            .limit(2000)
        )
        n = func.count().label("n")
        ticket_id, count = s.execute(
            select(m.ticket_id, n)
            .where(m.portal_id == portal.id, m.ticket_id.in_(recent))
            .group_by(m.ticket_id)
            .having(func.count() <= 10)
            .order_by(n.desc(), m.ticket_id.desc())
            .limit(1)
        ).one()
        ticket_10 = s.scalar(select(tk.number).where(tk.portal_id == portal.id, tk.id == ticket_id))
        operator = s.scalar(
            select(t.users.c.id)
            .where(t.users.c.portal_id == portal.id, t.users.c.role == Role.OPERATOR)
            .limit(1)
        )
        # A client of the data set, not the one the benchmark opens requests as (who has
        # thousands after a few runs): the requester of the newest other request.
        bench_client = s.scalar(
            select(t.users.c.id).where(
                t.users.c.portal_id == portal.id, t.users.c.email == "client@demo.example.com"
            )
        )
        client = s.scalar(
            select(t.tickets.c.requester_id)
            .where(t.tickets.c.portal_id == portal.id, t.tickets.c.requester_id != bench_client)
            .order_by(t.tickets.c.updated_at.desc())
            .limit(1)
        )
        newest = s.scalar(
            select(t.tickets.c.number)
            .where(t.tickets.c.portal_id == portal.id)
            .order_by(t.tickets.c.number.desc())
            .limit(1)
        )
    print(
        json.dumps(
            {
                "portal_id": portal.id,
                "ticket_10": ticket_10,
                "ticket_10_messages": count,
                "ticket_reply": newest,
                "operator_id": operator,
                "client_id": client,
            }
        )
    )
    zl.close()


def pending() -> None:
    zl = build(Settings())
    with zl.reader() as uow:
        o = t.outbox.c
        n = uow.session.scalar(
            select(func.count()).where(o.delivered_at.is_(None), o.failed_at.is_(None))
        )
    print(n)
    zl.close()


if __name__ == "__main__":
    if sys.argv[1] == "--pending":
        pending()
    else:
        main(sys.argv[1])
