"""Logging: uvicorn's text lines (the default) or one JSON object per line
(GOVFLOW_LOG_FORMAT=json), each with the request id of the request it belongs to."""

import logging
import logging.config
from typing import Any

from . import request_id
from .settings import Settings


def json_formatter() -> logging.Formatter:
    """One JSON object per record: time, level, logger, message, request_id and any extra
    fields (the access log's method, path, status, duration_ms)."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                         rename_fields={"asctime": "time", "levelname": "level",
                                        "name": "logger"})


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.current.get()
        return True


def log_config(settings: Settings) -> dict[str, Any] | None:
    """A logging dictConfig for uvicorn and our loggers; None: uvicorn's own text format."""
    if settings.log_format != "json":
        return None
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": json_formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "filters": ["request_id"], "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Requests are logged once, by govflow.access, with the request id.
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
        },
    }


def configure(settings: Settings) -> None:
    """For processes uvicorn does not configure (`govflow worker`)."""
    config = log_config(settings)
    if config is None:
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(message)s")
    else:
        logging.config.dictConfig(config)
