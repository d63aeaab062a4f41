"""Planned: reliable messages (outbox, retries, signed HTTP calls) between the store and the makerspaces.

Not built yet, so not installed: it has no models, routes, tasks, queue or metrics. When it is built it becomes an
app here (the only package allowed to import both ``store`` and ``makerspace``).
"""
