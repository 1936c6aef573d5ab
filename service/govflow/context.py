"""What every request and worker shares: settings, database, caches, clock, calendar."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .calendar.workdays import WorkingCalendar
from .diagrams.registry import SpecRegistry
from .instances.cache import InstanceCache
from .settings import Settings
from .store.clock import Clock


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    specs: SpecRegistry
    instances: InstanceCache
    clock: Clock = field(default_factory=Clock)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
