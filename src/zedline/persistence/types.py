"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Dialect,
    String,
    TypeDecorator,
    bindparam,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are not stored; use an aware UTC datetime"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - the interface
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> Any:
    return JSON().with_variant(JSONB(), "postgresql")


class _IdList(TypeDecorator[list[int]]):
    """A list of ids bound as one parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        ids = [int(i) for i in value]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class _Among(FunctionElement[bool]):
    # Untyped on purpose: a Boolean expression gets "= 1" appended in a SQLite WHERE, and
    # "id IN (...) = 1" can no longer use the primary key.
    name = "among"
    inherit_cache = True


@compiles(_Among)
def _among_sqlite(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = element.clauses
    return (
        f"{compiler.process(column, **kw)} IN"  # noqa: S608 - compiled SQL, ids are bound
        f" (SELECT value FROM json_each({compiler.process(ids, **kw)}))"
    )


@compiles(_Among, "postgresql")
def _among_postgresql(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = element.clauses
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(ids, **kw)})"


def among(column: ColumnElement[int], ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids` with the ids bound as one parameter.

    A search's hundreds of candidates as `IN (:id_1, :id_2, ...)` cost more to render, send
    and parse (on both sides) than the query itself; as one array (PostgreSQL `= ANY`) or
    one JSON text (SQLite `json_each`) the statement is the same for any number of ids.
    """
    return _Among(column, bindparam(None, list(ids), type_=_IdList()))


def among_bound(column: ColumnElement[int], key: str) -> ColumnElement[bool]:
    """`among` for a statement built once: the ids are the execution's parameter `key`."""
    return _Among(column, bindparam(key, type_=_IdList()))
