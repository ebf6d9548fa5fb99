"""Who acts and what each role may do: the :class:`Actor`, the action table and the one role check.

Every service that reads or writes the database takes an :class:`Actor` and calls :func:`require` first (the access
rule, tested by ``tests/test_access_rule.py``). This module holds no database code, so the audit log and the user
store can both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deps.errors import PermissionDeniedError
from deps.store.models import ROLES

__all__ = ["ACTIONS", "Actor", "allowed", "require"]

#: Action -> the lowest role allowed to perform it (the table in the docstring of :mod:`deps.access.auth`).
ACTIONS: Mapping[str, str] = {
    "read": "viewer",
    "analyse": "analyst",
    "simulate": "analyst",
    "optimise": "analyst",
    "batch": "analyst",
    "export": "analyst",
    "edit_assumptions": "analyst",
    "import": "admin",
    "manage_users": "admin",
    "audit": "admin",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user name and one of :data:`ROLES`."""

    name: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} of {self.name!r} is not one of {', '.join(ROLES)}")


def _lowest_role(action: str) -> str:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; known actions: {', '.join(sorted(ACTIONS))}") from None


def allowed(actor: Actor, action: str) -> bool:
    """Whether ``actor``'s role may perform ``action`` (a key of :data:`ACTIONS`; unknown actions raise).

    Anything but an :class:`Actor` raises :class:`PermissionDeniedError` (a name alone proves no role).
    """
    if not isinstance(actor, Actor):
        raise PermissionDeniedError(f"{action!r} needs an authenticated actor, not {type(actor).__name__} {actor!r}")
    return ROLES.index(actor.role) >= ROLES.index(_lowest_role(action))


def require(actor: Actor, action: str) -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor`` may perform ``action``.

    The message names the user, the role, the action and the roles that would allow it.  Anything but an
    :class:`Actor` (a bare user name, ``None``) is refused: a name alone proves no role.
    """
    if not allowed(actor, action):
        needed = _lowest_role(action)
        roles = " or ".join(ROLES[ROLES.index(needed) :])
        raise PermissionDeniedError(
            f"user {actor.name!r} has role {actor.role!r}, which may not {action!r}: that needs role {roles}. "
            "Ask an admin to change your role (deps users set-role NAME ROLE)."
        )
