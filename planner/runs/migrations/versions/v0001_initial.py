"""The initial schema: runs and their planned starts.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``runs`` and ``plan_starts`` tables."""
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plant", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("input_name", sa.String(500), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("settings_sha256", sa.String(64), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.Column("horizon_start", sa.Date(), nullable=True),
        sa.Column("horizon_end", sa.Date(), nullable=True),
        sa.Column("frozen_until", sa.Date(), nullable=True),
        sa.Column("output_workbook", sa.Text(), nullable=True),
        sa.Column("output_json", sa.Text(), nullable=True),
        sa.Column(
            "previous_run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("nervousness", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_runs_plant", "runs", ["plant"])
    op.create_index("ix_runs_plant_input", "runs", ["plant", "input_sha256", "settings_sha256"])
    op.create_table(
        "plan_starts",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("strategy", sa.String(40), primary_key=True),
        sa.Column("item", sa.String(200), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("qty", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("plan_starts")
    op.drop_index("ix_runs_plant_input", table_name="runs")
    op.drop_index("ix_runs_plant", table_name="runs")
    op.drop_table("runs")
