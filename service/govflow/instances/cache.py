"""Workflows kept in memory between steps, keyed by instance and version.

Rebuilding an instance from its rows costs time that grows with its length; a cached
workflow skips that. An entry is taken out while a command runs on it and put back only
after that command commits, so a failed or concurrent command can never see a half-run
workflow: it finds no entry and rebuilds from the committed rows.
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


@dataclass
class CachedInstance:
    version: int
    engine: Any                      # engine.runtime.EngineInstance
    variables: dict[str, Any]        # as last written to the variables table
    subscriptions: dict[tuple[str, str], str]  # as last written to message_subscriptions
    timers: dict[str, str]           # as last written to timers: task id -> due (ISO)


class InstanceCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, CachedInstance] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def checkout(self, instance_id: str, version: int) -> CachedInstance | None:
        entry = self._entries.pop(instance_id, None)
        if entry is not None and entry.version == version:
            self.hits += 1
            return entry
        self.misses += 1
        return None

    def holds(self, instance_id: str, version: int) -> bool:
        """Whether a checkout at this version would hit (counts nothing)."""
        entry = self._entries.get(instance_id)
        return entry is not None and entry.version == version

    def checkin(self, instance_id: str, entry: CachedInstance) -> None:
        if self.capacity <= 0:
            return
        self._entries[instance_id] = entry
        self._entries.move_to_end(instance_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def discard(self, instance_id: str) -> None:
        self._entries.pop(instance_id, None)
