"""Alembic migrations of the run store, applied by :class:`planner.runs.store.RunStore`."""
