"""Parsed diagram sets, kept in memory: a set is parsed once, never per instance."""

from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession

from ..engine.specs import DiagramSpecs, parse_diagram_set
from ..errors import NotFound
from . import repository as repo


class SpecRegistry:
    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._specs: OrderedDict[int, DiagramSpecs] = OrderedDict()

    def put(self, set_id: int, specs: DiagramSpecs) -> None:
        self._specs[set_id] = specs
        while len(self._specs) > self.capacity:
            self._specs.popitem(last=False)

    async def get(self, session: AsyncSession, set_id: int) -> DiagramSpecs:
        specs = self._specs.get(set_id)
        if specs is not None:
            self._specs.move_to_end(set_id)
            return specs
        row = await repo.get(session, set_id)
        if row is None:
            raise NotFound(f"diagram set {set_id} does not exist",
                           code="diagram_set.not_found", params={"set_id": set_id})
        files = await repo.files(session, set_id)
        # Stored sets were validated at upload; the main process was chosen then.
        specs = parse_diagram_set(files, main_process=row.main_process_id)
        self.put(set_id, specs)
        return specs
