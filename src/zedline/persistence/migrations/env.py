"""Alembic environment: runs on the engine that bootstrap built (or ZEDLINE_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from zedline.persistence.tables import metadata

config = context.config


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # Full-text tables (SQLite FTS5 and their shadow tables) are managed by hand in 0002.
    return not (type_ == "table" and name is not None and "_fts" in name)


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from zedline.config import Settings  # noqa: PLC0415
        from zedline.persistence.database import make_engine  # noqa: PLC0415

        engine = make_engine(Settings().resolved_database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
