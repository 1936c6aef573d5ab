"""ETag and If-None-Match for what a browser may keep: a diagram set's files never change
(a set is immutable and content-hashed), so their BPMN is cached for a year, their SVG a
day, and both revalidated with a 304; an instance's SVG changes with it, so it is revalidated each time.

The ETag is a hash of the bytes sent, so it is right whatever produced them; the caller's
rights are checked before the body is made, so a 304 tells nobody more than a 200 would.
"""

import hashlib

from fastapi import Request, Response

IMMUTABLE = "private, max-age=31536000, immutable"
# A set's SVG is drawn from immutable BPMN, but by this service's renderer, which may
# improve with an upgrade: kept a day, then revalidated (a 304 while it is the same).
RENDERED = "private, max-age=86400"
REVALIDATE = "private, no-cache"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached(request: Request, body: str | bytes, media_type: str, cache_control: str
           ) -> Response:
    """The body with its ETag, or 304 Not Modified when the caller already holds it."""
    raw = body.encode() if isinstance(body, str) else body
    tag = etag_of(raw)
    headers = {"ETag": tag, "Cache-Control": cache_control}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(raw, media_type=media_type, headers=headers)


def _matches(header: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison: W/ prefixes ignored; ``*`` matches any current body."""
    if not header:
        return False
    candidates = [c.strip() for c in header[:4096].split(",")]
    return any(c == "*" or c.removeprefix("W/") == tag for c in candidates)
