"""Camunda Modeler form fields (``camunda:formData``) as a JSON Schema and a UI schema.

Process owners edit the fields in the modeler's Forms tab; front ends get a JSON Schema and
a react-jsonschema-form ``ui_schema`` beside it (field order, widgets, the options' Chinese
names), and the service validates completions against the same schema, formats included.
docs/frontend.md walks through both.
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
# A `file` field's value is the id of a document uploaded to the instance (docs/documents.md);
# this keyword marks it and carries the media types it accepts (documents/fields.py).
DOCUMENT = "x-govflow-document"
# What a file field's `accept` property may name beside media types: the usual extensions.
ACCEPT_EXTENSIONS = {
    ".pdf": "application/pdf", ".ofd": "application/ofd", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet", ".zip": "application/zip"}


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
        # The labels go in the ui_schema (``ui:enumNames``), not in a ``oneOf`` of consts:
        # react-jsonschema-form pre-selects the first ``const`` of a ``oneOf`` field that has
        # no default, so an untouched form would carry an answer nobody gave.
        schema: dict[str, Any] = {"type": "string", "enum": [o.get("id") for o in options]}
    elif ftype == "file":
        if field.get("defaultValue") is not None:
            raise FormError(f"file field '{name}' cannot have a default value")
        schema = {"type": "string", "format": "uuid", DOCUMENT: {"accept": _accept(field)}}
    elif ftype in _TYPES:
        schema = dict(_TYPES[ftype])
    else:
        raise FormError(f"field '{name}' has unknown type '{ftype}' "
                        f"(use one of: enum, file, {', '.join(_TYPES)})")
    if field.get("label"):
        schema["title"] = field.get("label")
    for prop in field.xpath("./camunda:properties/camunda:property", namespaces=_NS):
        if prop.get("id") == "description":
            schema["description"] = prop.get("value")
        elif prop.get("id") == "accept" and ftype != "file":
            raise FormError(f"field '{name}' has an 'accept' property but is not a file field")
        elif prop.get("id") == "widget" and prop.get("value") not in WIDGETS:
            raise FormError(f"field '{name}' asks for widget '{prop.get('value')}' "
                            f"(use one of: {', '.join(WIDGETS)})")
    default = field.get("defaultValue")
    if default is not None:
        schema["default"] = _typed(default, schema.get("type"), name)
    elif ftype == "boolean" and not field.xpath(
            "./camunda:validation/camunda:constraint[@name='required']", namespaces=_NS):
        # An optional yes/no left alone means no; a required one must be answered (no
        # default: a gate that must be true is never pre-answered).
        schema["default"] = False
    for constraint in field.xpath("./camunda:validation/camunda:constraint", namespaces=_NS):
        _apply_constraint(schema, constraint.get("name"), constraint.get("config"), name)
    return schema


def _accept(field: etree._Element) -> list[str]:
    """The media types a file field's ``accept`` property names ([]: any allowed type):
    media types or extensions, comma separated."""
    found: list[str] = []
    for prop in field.xpath("./camunda:properties/camunda:property[@id='accept']",
                            namespaces=_NS):
        for item in str(prop.get("value") or "").split(","):
            item = item.strip().lower()
            if not item:
                continue
            media_type = ACCEPT_EXTENSIONS.get(item if item.startswith(".") else "." + item,
                                               item if "/" in item else None)
            if media_type is None:
                raise FormError(f"file field '{field.get('id')}' accepts '{item}': name media "
                                f"types (application/pdf) or extensions "
                                f"({', '.join(ACCEPT_EXTENSIONS)})")
            if media_type not in found:
                found.append(media_type)
    return found


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


# Widgets a ``camunda:property id="widget"`` may ask for: react-jsonschema-form's own names.
WIDGETS = ("text", "textarea", "select", "radio", "checkbox", "date", "updown")
# Free-text fields that take a paragraph, not a line, unless the diagram says otherwise: the
# contract's review ``opinion`` and a rejection's ``reason``.
_LONG_TEXT = ("opinion", "reason")
_LONG_LENGTH = 200


def form_ui_schema(node: etree._Element) -> dict[str, Any]:
    """The react-jsonschema-form ``uiSchema`` of a node's ``camunda:formData``: the modeler's
    field order, and one widget per field (``{}`` if the node has no form).

    A field's ``camunda:property id="widget"`` names its widget. Otherwise: booleans are
    radio buttons labelled 是/否 (the answer is shown either way, which a checkbox cannot
    do), dates a date picker, enums a drop-down with the options' Chinese names
    (``ui:enumNames``), file fields a drop-down of the instance's documents, and strings a text area when they are long text: an ``opinion`` or
    ``reason`` (or ``*_opinion``, ``*_reason``), or a ``maxlength`` over 200."""
    fields = node.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField",
                        namespaces=_NS)
    if not fields:
        return {}
    ui: dict[str, Any] = {"ui:order": [f.get("id") for f in fields]}
    for field in fields:
        widget = _widget(field)
        entry: dict[str, Any] = {"ui:widget": widget} if widget else {}
        if field.get("type") == "boolean":
            entry["ui:enumNames"] = ["是", "否"]  # for true, false
        elif field.get("type") == "file":
            # A select of the instance's documents (the task view fills in the options);
            # the upload itself is POST /tasks/{id}/documents (docs/documents.md).
            accept = ",".join(_accept(field))
            entry["ui:options"] = {"document": True, "accept": accept} if accept else {
                "document": True}
            entry["ui:placeholder"] = "请先上传文件，再在此选择"
        elif field.get("type") == "enum":
            entry["ui:enumNames"] = [o.get("name") or o.get("id") for o in
                                     field.xpath("./camunda:value", namespaces=_NS)]
        if field.xpath("./camunda:validation/camunda:constraint[@name='readonly']",
                       namespaces=_NS):
            entry["ui:readonly"] = True
        if entry:
            ui[str(field.get("id"))] = entry
    return ui


def _widget(field: etree._Element) -> str | None:
    for prop in field.xpath("./camunda:properties/camunda:property[@id='widget']",
                            namespaces=_NS):
        return str(prop.get("value"))
    ftype, name = field.get("type") or "string", str(field.get("id"))
    if ftype == "boolean":
        return "radio"
    if ftype == "date":
        return "date"
    if ftype in ("enum", "file"):
        return "select"
    if ftype != "string":
        return None
    limit = field.xpath("./camunda:validation/camunda:constraint[@name='maxlength']/@config",
                        namespaces=_NS)
    long_limit = bool(limit) and str(limit[0]).isdigit() and int(limit[0]) > _LONG_LENGTH
    if name in _LONG_TEXT or name.endswith(tuple("_" + n for n in _LONG_TEXT)) or long_limit:
        return "textarea"
    return None
