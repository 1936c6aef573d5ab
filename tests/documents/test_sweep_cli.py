"""`govflow documents sweep` as an operator runs it: on the configured database and store,
it deletes an old blob no document names, and refuses a window that would race uploads."""

import os
import time

import pytest
from govflow.cli import main as cli
from govflow.settings import get_settings
from govflow.store.migrate import upgrade


@pytest.fixture
def configured(tmp_path, monkeypatch):
    database = tmp_path / "govflow.db"
    upgrade(f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("GOVFLOW_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.delenv("GOVFLOW_DOCUMENTS_DIR", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "govflow.db.documents"  # the default: beside the database
    get_settings.cache_clear()


def test_the_sweep_deletes_an_old_unnamed_blob_beside_the_database(configured, capsys):
    orphan = configured / "6a0c4a51-0000-4000-8000-000000000000" / "left-by-a-crash"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.7\n")
    young = orphan.with_name("being-uploaded")
    young.write_bytes(b"%PDF-1.7\n")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    cli(["documents", "sweep"])
    assert "deleted 1 blobs" in capsys.readouterr().out
    assert not orphan.exists()
    assert young.exists()


def test_a_window_under_a_minute_is_refused(configured, capsys):
    with pytest.raises(SystemExit) as exited:
        cli(["documents", "sweep", "--minutes", "0"])
    assert exited.value.code == 2
    assert "--minutes" in capsys.readouterr().err
