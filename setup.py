"""Package layout pyproject.toml cannot say alone: the top-level ``migrations/`` directory
ships inside the wheel as the ``govflow_migrations`` package, so an installed GovFlow can
run ``govflow db upgrade``. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    package_dir={"": "service", "govflow_migrations": "migrations"},
    packages=[*find_packages("service"), "govflow_migrations", "govflow_migrations.versions"],
    package_data={"govflow": ["py.typed"], "govflow_migrations": ["script.py.mako"]},
)
