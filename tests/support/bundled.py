"""The diagram sets shipped in bpmn/<tenant>/ and dmn/<tenant>/, as `govflow serve` loads them."""

from pathlib import Path

from govflow.bootstrap import bundled_sets

ROOT = Path(__file__).resolve().parents[2]


def bundled(tenant: str) -> dict[str, bytes]:
    """{file name: content} of one tenant's bundled set."""
    return bundled_sets(ROOT)[tenant]
