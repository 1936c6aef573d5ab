"""Camunda Modeler form fields (``camunda:formData``) as a JSON Schema.

Process owners edit the fields in the modeler's Forms tab; front ends get a JSON Schema and
the service validates completions against the same schema.
"""

from typing import Any

from lxml import etree

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_NS = {"camunda": CAMUNDA, "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}

_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "array": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object"},
}
_NUMERIC = {"integer", "number"}


class FormError(ValueError):
    """A form field the schema cannot express; names the field."""


def form_schema(node: etree._Element) -> dict[str, Any]:
    """The JSON Schema of a user or manual task's ``camunda:formData`` (empty object if none)."""
    fields = node.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField",
                        namespaces=_NS)
    if not fields:
        return {"type": "object"}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in fields:
        name = field.get("id")
        if not name:
            raise FormError("a form field has no id")
        properties[name] = _field_schema(field)
        if field.xpath("./camunda:validation/camunda:constraint[@name='required']",
                       namespaces=_NS):
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _field_schema(field: etree._Element) -> dict[str, Any]:
    name, ftype = field.get("id"), field.get("type") or "string"
    if ftype == "enum":
        options = field.xpath("./camunda:value", namespaces=_NS)
        if not options:
            raise FormError(f"enum field '{name}' has no values")
        schema: dict[str, Any] = {
            "type": "string",
            "enum": [o.get("id") for o in options],
            "oneOf": [{"const": o.get("id"), "title": o.get("name") or o.get("id")}
                      for o in options],
        }
    elif ftype in _TYPES:
        schema = dict(_TYPES[ftype])
    else:
        raise FormError(f"field '{name}' has unknown type '{ftype}' "
                        f"(use one of: enum, {', '.join(_TYPES)})")
    if field.get("label"):
        schema["title"] = field.get("label")
    for prop in field.xpath("./camunda:properties/camunda:property", namespaces=_NS):
        if prop.get("id") == "description":
            schema["description"] = prop.get("value")
    default = field.get("defaultValue")
    if default is not None:
        schema["default"] = _typed(default, schema.get("type"), name)
    for constraint in field.xpath("./camunda:validation/camunda:constraint", namespaces=_NS):
        _apply_constraint(schema, constraint.get("name"), constraint.get("config"), name)
    return schema


def _apply_constraint(schema: dict[str, Any], kind: str | None, config: str | None,
                      name: str | None) -> None:
    keyword = {"min": "minimum", "max": "maximum", "minlength": "minLength",
               "maxlength": "maxLength"}.get(kind or "")
    if kind in ("required", "readonly"):
        if kind == "readonly":
            schema["readOnly"] = True
        return
    if keyword is None:
        raise FormError(f"field '{name}' has unknown constraint '{kind}'")
    if config is None:
        raise FormError(f"constraint '{kind}' of field '{name}' needs a config value")
    is_length = keyword in ("minLength", "maxLength")
    if not is_length and schema.get("type") not in _NUMERIC:
        raise FormError(f"constraint '{kind}' of field '{name}' needs a numeric field")
    schema[keyword] = _typed(config, "integer" if is_length else "number", name)


def _typed(raw: str, json_type: Any, name: str | None) -> Any:
    try:
        if json_type == "integer":
            return int(raw)
        if json_type == "number":
            value = float(raw)
            return int(value) if value.is_integer() else value
        if json_type == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
    except ValueError as exc:
        raise FormError(f"value '{raw}' of field '{name}' is not a {json_type}") from exc
    return raw
