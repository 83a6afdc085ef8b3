"""The engine's objects of recently saved instances, kept so the next request skips rebuilding them.

Rebuilding a workflow from its state costs a request about as much as running it. A busy
instance is worked step after step, so each process keeps the objects it last saved, and a
request uses one only when the row's state is, byte for byte, the state that object was saved
as: a write by another process, a migration or a restore changes the bytes, and the object is
dropped, never used stale. A request takes an object out (nobody else can touch it while it
runs) and puts it back only after its transaction committed; a failed request just loses it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ...engine import Instance


class LiveInstances:
    """A bounded, least-recently-saved-first cache of engine instances, keyed by instance id."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[int, tuple[bytes, Instance]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, state: bytes) -> Instance | None:
        """The object saved with exactly this state, now owned by the caller; None if there is none."""
        with self._lock:
            found = self._items.pop(instance_id, None)
        if found is None or found[0] != state:
            return None
        found[1].forget_steps()
        return found[1]

    def keep(self, instance_id: int, state: bytes, inst: Instance) -> None:
        """Remember an object after its state committed (the caller gives up using it)."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[instance_id] = (bytes(state), inst)
            self._items.move_to_end(instance_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
