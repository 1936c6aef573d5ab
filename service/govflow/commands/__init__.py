"""Every state change is a command run by ``execute`` (base.py); see docs/development.md."""

from .base import Command, execute
from .unit_of_work import UnitOfWork

__all__ = ["Command", "UnitOfWork", "execute"]
