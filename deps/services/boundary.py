"""The one place where errors of the pure engines become user-facing ``deps`` errors.

The engines raise only their own trees (:class:`supplychain.errors.SupplyChainError`,
:class:`optimizer.errors.OptimiserError`); every service wraps its engine calls in :func:`engine_errors`, so an
analyst sees one kind of message ("<what> failed: <reason>") and the CLI and the app map it to one exit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from deps.errors import RunError
from optimizer.errors import OptimiserError
from supplychain.errors import SupplyChainError

__all__ = ["ENGINE_ERRORS", "engine_errors"]

ENGINE_ERRORS: tuple[type[Exception], ...] = (SupplyChainError, OptimiserError)


@contextmanager
def engine_errors(what: str) -> Iterator[None]:
    """Turn an engine error raised inside the block into a :class:`~deps.errors.RunError` naming ``what``.

    Examples
    --------
    >>> from supplychain.errors import GraphError
    >>> try:
    ...     with engine_errors("analysis of dataset 'seed'"):
    ...         raise GraphError("cycle a -> b -> a")
    ... except RunError as exc:
    ...     print(exc)
    analysis of dataset 'seed' failed: cycle a -> b -> a
    """
    try:
        yield
    except ENGINE_ERRORS as exc:
        raise RunError(f"{what} failed: {exc}") from exc
