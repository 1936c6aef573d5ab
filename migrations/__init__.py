"""Alembic migrations, shipped in the wheel as the package ``govflow_migrations``."""
