from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from ..fields import NO_CONTROL, TEXT_MAX

# Dates arrive as text and are parsed by the service, so a bad one is named in the 422.
IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2031-10-01"])]


class CalendarYearIn(BaseModel):
    days_off: list[IsoDate] = Field(
        max_length=366, description="every day off of the year (放假), YYYY-MM-DD; weekends may be listed")
    make_up_workdays: list[IsoDate] = Field(
        max_length=366, description="weekend days worked instead (调休上班); [] when there are none")
    source: str = Field(max_length=TEXT_MAX, pattern=NO_CONTROL,
                        description="the notice transcribed, e.g. 国办发明电〔2025〕7号",
                        examples=["国办发明电〔2025〕7号"])


class CalendarYear(BaseModel):
    year: int
    official: bool = Field(
        description="false when neither the package nor an admin knows the year's notice: "
                    "only the statutory days, without bridge days or make-up weekends")
    source: str = Field(
        description='"holidays package", "loaded by <user>" or "estimated"')
    notice: str | None = Field(description="the notice a loaded arrangement transcribes")
    loaded_at: datetime | None
    days_off: list[date]
    make_up_workdays: list[date]


class WorkingDays(BaseModel):
    start: date
    days: int
    due: date = Field(description="the days-th working day after start (start not counted)")
    estimated: bool


class Due(BaseModel):
    due_at: datetime = Field(description="the last instant of the due day, in UTC")
    due_day: date = Field(description="the due day in Asia/Shanghai")
    estimated: bool
