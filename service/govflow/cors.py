"""Cross-origin requests from a browser app (a county's approval UI on its own origin).

Only the origins configured in ``GOVFLOW_CORS_ORIGINS`` are answered; by default none, and
no CORS header is sent. The API authenticates with a bearer token in ``Authorization``,
never a cookie, so credentials (cookies) are not allowed cross-origin.
"""

from typing import Any

ALLOW_HEADERS = ["Authorization", "Content-Type", "If-None-Match", "X-Request-ID"]
# What a front end reads from responses: caching, paging links, the request id, problems.
EXPOSE_HEADERS = ["ETag", "Link", "Location", "X-Request-ID", "WWW-Authenticate",
                  "Cache-Control"]
ALLOW_METHODS = ["GET", "POST", "PUT", "DELETE"]
PREFLIGHT_MAX_AGE = 600


def cors_options(origins: list[str]) -> dict[str, Any]:
    """Starlette's CORSMiddleware arguments for these origins."""
    return {"allow_origins": origins, "allow_methods": ALLOW_METHODS,
            "allow_headers": ALLOW_HEADERS, "expose_headers": EXPOSE_HEADERS,
            "allow_credentials": False, "max_age": PREFLIGHT_MAX_AGE}
