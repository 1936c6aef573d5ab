"""Every state change is a command run by ``execute`` (base.py); see docs/development.md."""

from .base import Command, execute, execute_and_show
from .unit_of_work import UnitOfWork

__all__ = ["Command", "UnitOfWork", "execute", "execute_and_show"]
