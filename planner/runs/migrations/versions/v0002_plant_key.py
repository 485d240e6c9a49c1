"""The plant's key: one plant under several spellings of its name is one history.

Adds ``runs.plant_key`` (:func:`planner.runs.plants.plant_key` of the
run's plant name), fills it for the runs recorded, and indexes it in place
of the name, by which the store no longer looks runs up.

The column is added with a default so that SQLite can add it NOT NULL
without copying the table (a copy would drop the old table, and with
foreign keys on, that deletes every run's planned starts). PostgreSQL
drops the default once the column is filled; on SQLite it stays, unused:
the store always gives the key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planner.runs.plants import MAX_KEY_LENGTH, plant_key

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add, fill and index ``runs.plant_key``; drop the indexes by plant name."""
    op.add_column(
        "runs",
        sa.Column("plant_key", sa.String(MAX_KEY_LENGTH), nullable=False, server_default=""),
    )
    runs = sa.table("runs", sa.column("plant", sa.String()), sa.column("plant_key", sa.String()))
    connection = op.get_bind()
    names = connection.execute(sa.select(runs.c.plant).distinct()).scalars().all()
    for name in names:
        connection.execute(
            runs.update().where(runs.c.plant == name).values(plant_key=plant_key(name))
        )
    if connection.dialect.name != "sqlite":
        op.alter_column("runs", "plant_key", server_default=None)
    op.drop_index("ix_runs_plant_input", table_name="runs")
    op.drop_index("ix_runs_plant", table_name="runs")
    op.create_index("ix_runs_plant_key", "runs", ["plant_key"])
    op.create_index(
        "ix_runs_plant_key_input", "runs", ["plant_key", "input_sha256", "settings_sha256"]
    )


def downgrade() -> None:
    """Index the plant name again and drop ``runs.plant_key``."""
    op.drop_index("ix_runs_plant_key_input", table_name="runs")
    op.drop_index("ix_runs_plant_key", table_name="runs")
    op.create_index("ix_runs_plant", "runs", ["plant"])
    op.create_index("ix_runs_plant_input", "runs", ["plant", "input_sha256", "settings_sha256"])
    op.drop_column("runs", "plant_key")
