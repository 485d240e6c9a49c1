"""The tables of the run store, as SQLAlchemy ORM classes.

The database schema itself is created and changed only by the Alembic
migrations in :mod:`planner.runs.migrations`; these classes must describe
the same tables (a test compares them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from planner.runs.plants import MAX_KEY_LENGTH


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps of the run store must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The run store's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UtcDateTime}


class RunRow(Base):
    """One planning run of one plant: what went in, how it went and what came out.

    ``plant`` is the name the run was given; ``plant_key`` is its
    :func:`~planner.runs.plants.plant_key`, by which the store finds a
    plant's runs.
    """

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plant: Mapped[str] = mapped_column(String(200))
    plant_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    input_name: Mapped[str] = mapped_column(String(500))
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]]
    settings_sha256: Mapped[str] = mapped_column(String(64))
    versions: Mapped[dict[str, Any]]
    kpis: Mapped[dict[str, Any]]
    horizon_start: Mapped[date | None] = mapped_column(Date)
    horizon_end: Mapped[date | None] = mapped_column(Date)
    frozen_until: Mapped[date | None] = mapped_column(Date)
    output_workbook: Mapped[str | None] = mapped_column(Text)
    output_json: Mapped[str | None] = mapped_column(Text)
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    nervousness: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_runs_plant_key_input", "plant_key", "input_sha256", "settings_sha256"),
    )


class PlanStartRow(Base):
    """One planned start of a run: a strategy starts ``qty`` of ``item`` on ``day``."""

    __tablename__ = "plan_starts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    strategy: Mapped[str] = mapped_column(String(40), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    qty: Mapped[float] = mapped_column(Float)


class RunChartRow(Base):
    """One chart of a run: its kind, the strategy, work center and item it shows, its series.

    The series are :func:`planner.charts.chart_piece`'s, so any recorded run
    can be charted again, whichever way it was planned; ``position`` keeps the
    order of the comparison's strategies and work centers.
    """

    __tablename__ = "run_charts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    strategy: Mapped[str] = mapped_column(String(40), primary_key=True)
    work_center: Mapped[str] = mapped_column(String(200), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int]
    data: Mapped[dict[str, Any]]
