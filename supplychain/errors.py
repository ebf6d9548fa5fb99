"""Exceptions raised by the supply-chain analysis engine.

All derive from builtin exceptions so callers may catch ``ValueError`` or ``KeyError``;
messages name the offending item and say how to fix it.
"""

from __future__ import annotations

__all__ = ["GraphError", "ParameterError", "SchemaError", "SupplyChainError", "UnknownItemError"]


class SupplyChainError(Exception):
    """Base class of every error raised by :mod:`supplychain`."""


class SchemaError(SupplyChainError, ValueError):
    """An input frame misses a column, has a wrong type or an invalid value."""


class GraphError(SupplyChainError, ValueError):
    """The supply graph is malformed (a cycle, an edge to an unknown node, ...)."""


class ParameterError(SupplyChainError, ValueError):
    """A parameter of a computation is outside its range (a shock length of zero, a negative threshold, ...)."""


class UnknownItemError(SupplyChainError, KeyError):
    """A node, supplier or country named in a request is not in the data."""
