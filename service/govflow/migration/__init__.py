"""Moving running instances from a tenant's diagram set to another (docs/migration.md)."""
