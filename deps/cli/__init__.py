"""The ``deps`` command-line interface, one module per command group; ``deps.cli.main`` holds the entry point.

Highest room: it may import every other room; nothing in ``deps`` imports it.
"""
