"""Which blob store the settings name (documents/storage.py, documents/s3.py)."""

from pathlib import Path

from ..settings import Settings
from .storage import BlobStore, LocalBlobStore


def default_directory(settings: Settings) -> Path:
    """``GOVFLOW_DOCUMENTS_DIR``, else ``<database file>.documents`` beside a SQLite
    database, else ``./govflow-documents``."""
    if settings.documents_dir is not None:
        return settings.documents_dir
    url = settings.database_url
    if settings.is_sqlite and ":///" in url and ":memory:" not in url:
        database = Path(url.split(":///", 1)[1].split("?", 1)[0])
        return database.with_name(database.name + ".documents")
    return Path("govflow-documents")


def make_store(settings: Settings) -> BlobStore:
    """The store the settings name: ``local`` (default) or ``s3``."""
    if settings.documents_backend == "s3":
        from .s3 import S3BlobStore  # boto3 is imported only when it is used
        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(default_directory(settings))
