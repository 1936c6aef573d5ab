"""Parsing untrusted XML: no DTDs, no entities, no network."""

from lxml import etree

from .errors import DiagramError, DiagramProblem

_NO_DTD = "DTDs are not allowed, nor entity declarations"
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_blank_text=False,
)


def parse_xml(content: bytes, filename: str) -> etree._ElementTree:
    """Parse a document, refusing any DOCTYPE (and with it every entity trick)."""
    head = content[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in content.upper():
        raise DiagramError([DiagramProblem(filename, _NO_DTD)])
    try:
        tree = etree.ElementTree(etree.fromstring(content, _PARSER))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise DiagramError([DiagramProblem(filename, f"not well-formed XML: {exc.msg}", line)]) from exc
    if tree.docinfo.doctype:
        raise DiagramError([DiagramProblem(filename, _NO_DTD)])
    return tree
