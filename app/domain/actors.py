"""Who acts on a complaint: a signed-in person (Viewer) or the system, as every service names them."""

from __future__ import annotations

from dataclasses import dataclass

from . import policy


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or the system (scheduler)."""

    id: int | None
    name: str


SYSTEM = Actor(None, "system")


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as services need them: id, name and group codes."""

    id: int
    name: str
    groups: frozenset[str]

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.name)

    def can(self, capability: str) -> bool:
        """Whether the viewer's groups hold this capability of domain.policy."""
        return policy.allows(self.groups, capability)

    @property
    def oversees(self) -> bool:
        """Reads every task and instance (acting only where the policy allows)."""
        return self.can("task.oversee")
