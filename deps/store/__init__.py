"""The store room: the database handle, SQLModel tables, queries returning frames, the catalogue and migrations.

Lowest room above ``deps.config`` and ``deps.errors``: it imports nothing else from ``deps``.
"""
