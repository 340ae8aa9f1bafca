"""Prints, as JSON, the ids the benchmark needs from the data set (run with its environment)."""

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
        m = t.messages.c
        counts = (
            select(m.ticket_id)
            .where(m.portal_id == portal.id)
            .group_by(m.ticket_id)
            .having(func.count() == 10)
            .limit(1)
            .scalar_subquery()
        )
        ticket_10 = s.scalar(
            select(t.tickets.c.number).where(
                t.tickets.c.portal_id == portal.id, t.tickets.c.id == counts
            )
        )
        operator = s.scalar(
            select(t.users.c.id)
            .where(t.users.c.portal_id == portal.id, t.users.c.role == Role.OPERATOR)
            .limit(1)
        )
        client = s.scalar(
            select(t.tickets.c.requester_id)
            .where(t.tickets.c.portal_id == portal.id)
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
                "ticket_10": ticket_10 or newest,
                "ticket_reply": newest,
                "operator_id": operator,
                "client_id": client,
            }
        )
    )
    zl.close()


if __name__ == "__main__":
    main(sys.argv[1])
