"""Who may deliver a message to a catching element, and which payload keys it accepts.

A process owner declares both on the catching element (message start, intermediate catch,
boundary event, receive task) as Camunda extension properties, in Camunda Modeler's
properties panel ("Extension properties")::

    <camunda:property name="senders" value="hub,finance"/>
    <camunda:property name="payload" value="findings,inspected_on"/>

``senders`` are the groups (lane roles) whose users may send the message over the API;
``payload`` the keys its payload may carry. Without ``senders`` only administrators and
the process itself (a message throw event) deliver it; without ``payload`` it carries none.
The rule that uses these lives in ``instances/messages.py``; this module reads and checks
the declaration at upload.
"""

import re
from dataclasses import dataclass
from typing import Any

SENDERS = "senders"
PAYLOAD = "payload"
# Group names as tokens carry them; payload keys become process variables, which scripts
# and conditions read as names: plain identifiers, no leading underscore.
_GROUP = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_PROPERTIES = "./bpmn:extensionElements/camunda:properties/camunda:property"


@dataclass(frozen=True)
class MessageCatchDef:
    """What the API needs to know of one catching element, read once at parse time."""

    element_id: str
    element_name: str | None
    senders: tuple[str, ...]   # empty: administrators and the process only
    payload: tuple[str, ...]   # empty: no payload key accepted
    messages: tuple[str, ...] = ()  # the message names it catches


class DeclarationError(ValueError):
    """A malformed ``senders`` or ``payload`` declaration."""


def declared(node: Any, namespaces: dict[str, str]) -> dict[str, str]:
    """The element's own ``senders`` and ``payload`` properties (form fields' properties,
    deeper down, are not the element's)."""
    found: dict[str, str] = {}
    for prop in node.xpath(_PROPERTIES, namespaces=namespaces):
        name = prop.get("name")
        if name not in (SENDERS, PAYLOAD):
            continue
        if name in found:
            raise DeclarationError(f"the camunda property '{name}' is declared twice")
        found[name] = prop.get("value") or ""
    return found


def catch_def(element_id: str, element_name: str | None, values: dict[str, str],
              messages: tuple[str, ...] = ()) -> MessageCatchDef:
    """Check a declaration and build the element's definition."""
    return MessageCatchDef(element_id, element_name,
                           _names(values, SENDERS, _GROUP, "a group name"),
                           _names(values, PAYLOAD, _KEY, "a variable name (letters, digits, _)"),
                           messages)


def _names(values: dict[str, str], prop: str, pattern: re.Pattern[str], what: str
           ) -> tuple[str, ...]:
    if prop not in values:
        return ()
    items = [v.strip() for v in values[prop].split(",")]
    if not any(items):
        raise DeclarationError(f"the camunda property '{prop}' is empty: list at least one "
                               f"name, or remove it")
    for item in items:
        if not pattern.fullmatch(item):
            raise DeclarationError(f"the camunda property '{prop}' lists {item!r}, which is "
                                   f"not {what}; separate names with commas")
    if len(set(items)) != len(items):
        raise DeclarationError(f"the camunda property '{prop}' lists a name twice")
    return tuple(items)
