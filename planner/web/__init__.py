"""The planner's web page: upload a workbook, watch it plan, read and download the comparison.

``planner serve`` runs :func:`planner.web.app.create_app` with uvicorn. The
pages are rendered on the server (Jinja2) and drawn by one small script of
our own; the same data is available as a JSON API under ``/api``.
"""
