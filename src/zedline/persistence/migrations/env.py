"""Alembic environment: runs on the engine that bootstrap built (or ZEDLINE_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from zedline.persistence.tables import metadata

config = context.config


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
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
