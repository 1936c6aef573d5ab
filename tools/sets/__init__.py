"""Drafting scripts for the bundled diagram sets: ``python -m tools.sets.<tenant>`` writes
``bpmn/<tenant>/`` and ``dmn/<tenant>/``.

The written .bpmn/.dmn files are what the service loads and what process owners open in a
modeler. Regenerating overwrites the files, so a change made in a modeler must be carried
back into the script (or the script retired for that tenant) before the next regeneration.
"""

from collections.abc import Mapping
from pathlib import Path

from tools.bpmn_builder import Field

ROOT = Path(__file__).resolve().parents[2]


def review_form(*criteria: tuple[str, str]) -> list[Field]:
    """A review's form: the decision, the opinion (a rejection carries its reason), and a
    checklist of the criteria the text lists, as (field id, label) pairs."""
    return [
        Field("approved", "boolean", label="审查通过", required=True),
        Field("opinion", "string", label="审查意见", required=True, minlength=1),
        *(Field(field_id, "boolean", label=label, required=True) for field_id, label in criteria),
    ]


def write_set(tenant: str, bpmn: Mapping[str, bytes], dmn: Mapping[str, bytes]) -> list[Path]:
    """Replace the tenant's bundled files with these; returns the paths written."""
    written = []
    for kind, files in (("bpmn", bpmn), ("dmn", dmn)):
        folder = ROOT / kind / tenant
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"*.{kind}"):
            if stale.name not in files:
                stale.unlink()
        for name, content in files.items():
            path = folder / name
            path.write_bytes(content)
            written.append(path)
    return written
