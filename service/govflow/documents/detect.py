"""What a file is, from its bytes: the media type GovFlow stores and checks against the
allow-list (``GOVFLOW_DOCUMENT_TYPES``), never the type or extension the client claims.

Magic numbers come from puremagic (pure Python, maintained, no libmagic to install on a
government server). Zip containers all begin ``PK``: which kind of zip a file is (OFD, a
Word/Excel/PowerPoint document, OpenDocument, a plain archive) is read from its entries.
Legacy Office files share one OLE header; among .doc, .xls and .ppt the file name's
extension chooses, since the bytes allow all three.
"""

import zipfile
from pathlib import Path
from typing import IO

import puremagic

OCTET_STREAM = "application/octet-stream"
ZIP = "application/zip"
OFD = "application/ofd"  # GB/T 33190 版式文档
_OOXML = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_TYPES = {".xls": "application/vnd.ms-excel", ".xlt": "application/vnd.ms-excel",
              ".ppt": "application/vnd.ms-powerpoint", ".pps": "application/vnd.ms-powerpoint",
              ".wps": "application/vnd.ms-works", ".et": "application/vnd.ms-excel",
              ".dps": "application/vnd.ms-powerpoint"}
# puremagic's names for a few types, as IANA registers them.
_CANONICAL = {"application/excel": "application/vnd.ms-excel",
              "application/mspowerpoint": "application/vnd.ms-powerpoint",
              "image/jpg": "image/jpeg", "application/x-zip-compressed": ZIP}
_HEAD = 8192


def detect(source: IO[bytes], filename: str) -> str:
    """The media type of the file ``source`` (read from the start), ``filename`` breaking
    only the ties the bytes leave; ``application/octet-stream`` when nothing matches."""
    source.seek(0)
    head = source.read(_HEAD)
    source.seek(0)
    if not head:
        return OCTET_STREAM
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(source)
    extension = Path(filename).suffix.lower()
    if head.startswith(_OLE):
        return _OLE_TYPES.get(extension, "application/msword")
    try:
        # Without the file name: puremagic would otherwise fall back to the extension.
        matches = [m for m in puremagic.magic_string(head) if m.mime_type]
    except (puremagic.PureError, ValueError):
        return OCTET_STREAM
    if not matches:
        return OCTET_STREAM
    best = max(m.confidence for m in matches)
    tied = [m for m in matches if m.confidence == best]
    chosen = next((m for m in tied if m.extension.lower() == extension), tied[0])
    return str(_CANONICAL.get(chosen.mime_type, chosen.mime_type))


def _zip_kind(source: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
            if "OFD.xml" in names:
                return OFD
            if "mimetype" in names:  # OpenDocument names its own type, stored first
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            if "[Content_Types].xml" in names:
                for folder, media_type in _OOXML.items():
                    if any(n.startswith(folder) for n in names):
                        return media_type
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, RuntimeError):
        return OCTET_STREAM  # a truncated or broken archive is no document
    finally:
        source.seek(0)
    return ZIP
