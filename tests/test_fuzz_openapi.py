"""Fuzz every operation of the OpenAPI document: no input may give a 5xx, and every status
returned must be one the document lists for the operation.

Schemathesis generates requests that fit the schema and requests that break it (the
``mode = all`` of its CLI), sends each through ASGI as an admin and as a plain user of the
seeded tenant, and checks ``not_a_server_error`` and ``status_code_conformance``. The run is
deterministic (fixed seed, derandomized Hypothesis) and bounded to a few examples per
operation, so CI runs it on every push; deselect it locally with ``-m 'not fuzz'``.
Raise ``GOVFLOW_FUZZ_EXAMPLES`` for a longer hunt.
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from govflow.main import build_context, create_app
from govflow.settings import Settings
from govflow.store.migrate import upgrade
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.conftest import ADMIN, SECRET, token
from tests.support.sample import sample_set

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GOVFLOW_FUZZ_EXAMPLES", "15"))
USER = token("fuzz", "demo", ("unit", "hub"))
CHECKS = [not_a_server_error, status_code_conformance]


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": 20260302,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True,
                       "with-security-parameters": False, "database": "none"},
        "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
    })


def _seed(app: Any) -> None:
    """A tenant with the sample set and one instance, so requests reach the handlers."""
    client = asgi.get_client(app)
    assert client.put("/api/v1/tenants/demo", json={"name": "示例"},
                      headers=ADMIN).status_code in (200, 201)
    files = [("files", (n, c, "application/xml")) for n, c in sample_set().items()]
    response = client.post("/api/v1/tenants/demo/diagram-sets", files=files, headers=ADMIN)
    assert response.status_code in (200, 201), response.text
    started = client.post("/api/v1/tenants/demo/process-instances", json={}, headers=USER)
    assert started.status_code == 201, started.text


# The app is built at import (schemathesis parametrizes from its document at collection);
# its database is created, and the app first called, only when the tests run.
_DIR = Path(tempfile.gettempdir()) / f"govflow-fuzz-{uuid.uuid4().hex[:12]}"
_URL = f"sqlite+aiosqlite:///{_DIR / 'govflow.db'}"
APP = create_app(build_context(Settings(database_url=_URL, secret_key=SECRET,
                                        load_bundled_diagrams=False)))
schema = schemathesis.openapi.from_dict(APP.openapi(), config=_config())
schema.app = APP


@pytest.fixture(scope="module", autouse=True)
def seeded() -> Iterator[None]:
    _DIR.mkdir()
    upgrade(_URL, "head", {})
    _seed(APP)
    yield
    asgi.shutdown_lifespans()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
def test_no_input_gives_a_server_error_or_an_undocumented_status(case: Any) -> None:
    for headers in (ADMIN, USER):
        case.call_and_validate(headers=headers, checks=CHECKS)
