from datetime import datetime

from pydantic import BaseModel

from ..fields import Name


class TenantIn(BaseModel):
    name: Name


class ActiveSet(BaseModel):
    id: int
    version: int
    main_process_id: str


class Tenant(BaseModel):
    id: str
    name: str
    active_diagram_set: ActiveSet | None
    created_at: datetime
