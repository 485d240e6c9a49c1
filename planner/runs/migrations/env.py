"""Alembic environment of the run store: migrations run on the connection the store passes."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from planner.runs.schema import Base


def run_migrations_online() -> None:
    """Apply the migrations on ``config.attributes["connection"]``, in its transaction."""
    connection: Connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("the run store's migrations run online only (RunStore applies them)")
run_migrations_online()
