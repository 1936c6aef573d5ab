from datetime import datetime

from pydantic import BaseModel


class TenantIn(BaseModel):
    name: str


class ActiveSet(BaseModel):
    id: int
    version: int
    main_process_id: str


class Tenant(BaseModel):
    id: str
    name: str
    active_diagram_set: ActiveSet | None
    created_at: datetime
