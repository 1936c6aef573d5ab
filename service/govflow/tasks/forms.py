"""Checking submitted variables against a form's JSON Schema."""

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from ..errors import FieldError, Invalid


@lru_cache(maxsize=1024)
def _validator(form_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(form_json))


def compile_form(form: dict[str, Any]) -> None:
    """Build and cache the form's validator now (start-up), not on its first submission."""
    _validator(json.dumps(form, sort_keys=True))


def validate_variables(form: dict[str, Any], variables: dict[str, Any]) -> None:
    """Raise Invalid naming each field of ``variables`` that breaks the form's schema."""
    validator = _validator(json.dumps(form, sort_keys=True))
    errors = sorted(validator.iter_errors(variables), key=lambda e: e.path)
    if errors:
        raise Invalid("the variables do not match the form", [
            FieldError("variables" + "".join(f".{p}" for p in e.absolute_path)
                       + _missing(e), e.message) for e in errors])


def _missing(error: Any) -> str:
    # "required" and "additionalProperties" errors sit on the object; name the field itself.
    message = str(error.message)
    if error.validator == "required":
        return "." + message.split("'")[1]
    if error.validator == "additionalProperties" and "'" in message:
        return "." + message.split("'")[1]
    return ""
