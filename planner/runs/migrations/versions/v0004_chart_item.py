"""A chart may show one item: ``run_charts.item`` (the buffer charts of ddmrp plans).

The item joins the table's primary key, so the table is made anew with the
column and the charts recorded so far are copied into it (item blank).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COPIED = "run_id, kind, strategy, work_center, position, data"


def upgrade() -> None:
    """Make ``run_charts`` anew with ``item`` in its key, keeping its rows."""
    _charts_table("run_charts_new", with_item=True)
    op.execute(f"INSERT INTO run_charts_new ({_COPIED}, item) SELECT {_COPIED}, '' FROM run_charts")
    op.drop_table("run_charts")
    op.rename_table("run_charts_new", "run_charts")


def downgrade() -> None:
    """Make ``run_charts`` anew without ``item``, dropping the charts of one item."""
    _charts_table("run_charts_old", with_item=False)
    op.execute(
        f"INSERT INTO run_charts_old ({_COPIED}) SELECT {_COPIED} FROM run_charts WHERE item = ''"
    )
    op.drop_table("run_charts")
    op.rename_table("run_charts_old", "run_charts")


def _charts_table(name: str, *, with_item: bool) -> None:
    """Create the charts table as ``name``, with or without ``item`` in its key."""
    key = [sa.Column("item", sa.String(200), primary_key=True)] if with_item else []
    op.create_table(
        name,
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("strategy", sa.String(40), primary_key=True),
        sa.Column("work_center", sa.String(200), primary_key=True),
        *key,
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
