"""Recorded planning runs: the run store, weekly batch runs, history and plan nervousness.

``store`` keeps every run (input hash, settings, versions, KPIs and the
plans) in a SQLAlchemy database, SQLite by default; ``changes`` compares the
plans of two runs; ``weekly`` plans every plant of a configuration file and
records the runs; ``cli`` adds ``planner run``, ``history`` and ``diff``.
"""

__all__ = ["DATABASE_URL_VARIABLE"]

DATABASE_URL_VARIABLE = "PLANNER_DATABASE_URL"
"""Environment variable naming the run store's database when no URL is given.

Here, in the package itself, so that the command line can name it in its
options without importing the store (and SQLAlchemy).
"""
