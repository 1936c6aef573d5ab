"""What every request and worker shares: settings, database, caches, clock, calendar."""

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .calendar.workdays import WorkingCalendar
from .diagrams.registry import SpecRegistry
from .documents.storage import BlobStore, LocalBlobStore
from .instances.cache import InstanceCache
from .settings import Settings
from .store.clock import Clock
from .store.db import read_session_factory


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    specs: SpecRegistry
    instances: InstanceCache
    clock: Clock = field(default_factory=Clock)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # Where document contents live (documents/storage.py); build_context picks it.
    documents: BlobStore = field(default_factory=lambda: LocalBlobStore(Path("govflow-documents")))

    @cached_property
    def readers(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for requests that only read (store/db.py read_session_factory)."""
        return read_session_factory(self.engine)
