"""Request bodies of the change feed's endpoints."""

from pydantic import BaseModel, Field

from .kinds import FEED_EVENTS


class WebhookIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000,
                     description="http:// or https://; not a private, loopback or reserved "
                     "address (unless GOVFLOW_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)")
    kinds: list[str] | None = Field(None, max_length=len(FEED_EVENTS),
                                    description="event kinds to deliver; omitted: all of "
                                    "them (" + ", ".join(FEED_EVENTS) + ")")
