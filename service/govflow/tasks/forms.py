"""Checking submitted variables against a form's JSON Schema, formats included.

One error per field, each with a stable ``code`` (problem_codes.FIELD_CODES), the form
field's name and its message in English and Chinese (docs/frontend.md shows them)."""

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from ..errors import FieldError, Invalid
from ..problem_codes import FIELD_CODES

_FORMATS = FormatChecker()
# What a format means, for the messages: the ones a form may carry (engine/forms.py).
_FORMAT_NAMES = {"date": ("a date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"),
                 "date-time": ("a date and time (RFC 3339)", "日期时间（RFC 3339）"),
                 "email": ("an e-mail address", "电子邮件地址"),
                 "uuid": ("a document id (upload the file first)", "文件编号（请先上传文件）")}
_TYPE_NAMES = {"string": "字符串", "integer": "整数", "number": "数字", "boolean": "是或否",
               "array": "列表", "object": "对象"}
_CODES = {"required": "required", "type": "type", "format": "format", "oneOf": "one_of",
          "enum": "one_of", "const": "one_of", "minimum": "minimum", "maximum": "maximum",
          "minLength": "min_length", "maxLength": "max_length",
          "additionalProperties": "unknown_field"}
# Which error a field shows when it breaks several keywords: the most basic one.
_RANK = ("required", "unknown_field", "type", "one_of", "format")


@lru_cache(maxsize=1024)
def _validator(form_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(form_json), format_checker=_FORMATS)


def compile_form(form: dict[str, Any]) -> None:
    """Build and cache the form's validator now (start-up), not on its first submission."""
    _validator(json.dumps(form, sort_keys=True))


def validate_variables(form: dict[str, Any], variables: dict[str, Any]) -> None:
    """Raise Invalid (``form.invalid``) naming each field of ``variables`` that breaks the
    form's schema, once per field."""
    validator = _validator(json.dumps(form, sort_keys=True))
    by_field: dict[str, FieldError] = {}
    for error in sorted(validator.iter_errors(variables), key=lambda e: list(e.path)):
        found = _field_error(error)
        held = by_field.get(found.extra["field"])
        if held is None or _rank(found) < _rank(held):
            by_field[found.extra["field"]] = found
    if by_field:
        _refuse(list(by_field.values()))


def refuse_read_only(form: dict[str, Any], variables: dict[str, Any],
                     given: dict[str, Any]) -> None:
    """Raise Invalid (``form.invalid``, field code ``read_only``) for a read-only field whose
    submitted value is not the one the task was given (its input parameter, else the field's
    default): a form sends it back unchanged (react-jsonschema-form does), never a new one,
    so that a gate or a later step reading it reads what the task was shown."""
    errors = []
    for name, spec in form.get("properties", {}).items():
        if not (isinstance(spec, dict) and spec.get("readOnly")) or name not in variables:
            continue
        shown = given.get(name, spec.get("default"))
        if not _same_value(variables[name], shown):
            errors.append(FieldError(f"variables.{name}", f"is read-only: it stays {shown!r}",
                                     {"field": name}, code="read_only",
                                     message_zh=FIELD_CODES["read_only"]))
    if errors:
        _refuse(errors)


def _refuse(errors: list[FieldError]) -> None:
    raise Invalid("the variables do not match the form: "
                  + "; ".join(f"{e.extra['field']}: {e.msg}" for e in errors),
                  errors, code="form.invalid", params={"count": len(errors)})


def _same_value(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (
        isinstance(a, int | float) and isinstance(b, int | float)
        and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def _rank(error: FieldError) -> int:
    return _RANK.index(error.code) if error.code in _RANK else len(_RANK)


def _field_error(error: ValidationError) -> FieldError:
    path = [str(p) for p in error.absolute_path]
    named = _missing(error)
    name = ".".join(path + ([named] if named else [])) or "variables"
    code = _CODES.get(str(error.validator), "invalid")
    message, zh = str(error.message), FIELD_CODES[code]
    values: dict[str, Any] = {"limit": error.validator_value}
    if code == "format":
        english, zh_name = _FORMAT_NAMES.get(str(error.validator_value),
                                             (str(error.validator_value),) * 2)
        message = f"{error.instance!r} is not {english}"
        values["expected"] = zh_name
    elif code == "type":
        values["expected"] = _TYPE_NAMES.get(str(error.validator_value),
                                             str(error.validator_value))
    elif code == "one_of":
        options = error.schema.get("enum") or [error.schema.get("const")]
        values["options"] = "、".join(str(o) for o in options)
        message = f"{error.instance!r} is not one of {options}"
    elif code == "required":
        message = "is required"
    elif code == "unknown_field":
        message = "is not a field of this form"
    return FieldError("variables." + name, message, {"field": name}, code=code,
                      message_zh=zh.format(**values))


def _missing(error: ValidationError) -> str:
    # "required" and "additionalProperties" errors sit on the object; name the field itself.
    message = str(error.message)
    if error.validator in ("required", "additionalProperties") and "'" in message:
        return message.split("'")[1]
    return ""
