"""An instance's label: the value of the variable its process names (camunda property
``label_variable``), as text lists can show and filter by."""

from typing import Any

LABEL_MAX = 200  # VARCHAR(200)


def label_text(value: Any) -> str | None:
    """Text and numbers as text, cut to the column; anything else (none, a list) is no label."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = "".join(c if c.isprintable() else " " for c in str(value)).strip()
    return text[:LABEL_MAX] or None
