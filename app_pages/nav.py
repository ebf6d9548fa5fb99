"""Which pages each role sees: the router registers only these, so other pages do not exist for the session."""

from __future__ import annotations

from dataclasses import dataclass

from deps.access.auth import Actor, allowed

__all__ = ["ACCOUNT", "PAGES", "PageSpec", "pages_for"]


@dataclass(frozen=True)
class PageSpec:
    """A page: its script, English title (translated by the router), icon and the action it needs."""

    path: str
    title: str
    icon: str
    action: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/overview.py", "Overview", ":material/dashboard:", "read"),
    PageSpec("app_pages/explorer.py", "Supply-chain explorer", ":material/hub:", "read"),
    PageSpec("app_pages/chokepoints.py", "Chokepoints & control points", ":material/warning:", "read"),
    PageSpec("app_pages/screen.py", "EU screen", ":material/filter_alt:", "read"),
    PageSpec("app_pages/simulator.py", "Disruption simulator", ":material/bolt:", "simulate"),
    PageSpec("app_pages/optimiser.py", "Optimiser", ":material/tune:", "optimise"),
    PageSpec("app_pages/batches.py", "Batches", ":material/stacks:", "batch"),
    PageSpec("app_pages/assumptions.py", "Effect assumptions", ":material/rule:", "edit_assumptions"),
    PageSpec("app_pages/runs.py", "Runs", ":material/history:", "simulate"),
    PageSpec("app_pages/reports.py", "Reports", ":material/description:", "export"),
    PageSpec("app_pages/data.py", "Data", ":material/database:", "read"),
    PageSpec("app_pages/admin.py", "Admin", ":material/admin_panel_settings:", "manage_users"),
)

#: Every signed-in user's own page (password change); the only page while a one-time password is held.
ACCOUNT = PageSpec("app_pages/account.py", "Account", ":material/person:", "read")


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages ``actor``'s role may open, in menu order."""
    return [page for page in PAGES if allowed(actor, page.action)]
