#!/usr/bin/env bash
# Back up or restore one tenant's data on PostgreSQL (a whole database: pg_dump -Fc, see
# docs/operations.md). Uses psql's \copy, so it runs from any host that reaches the server.
#
#   deploy/tenant-backup.sh export TENANT DIR    # writes DIR/<table>.csv and DIR/revision
#   deploy/tenant-backup.sh import DIR           # into a database at the same schema revision
#
# The database comes from GOVFLOW_DATABASE_URL (postgresql+asyncpg://... is accepted) or
# PGDATABASE/PGHOST/... . An export is one REPEATABLE READ snapshot, so it is consistent
# while the service runs. An import is one transaction and refuses a tenant that exists
# (delete it first, or import into a fresh database after `govflow db upgrade`).
set -euo pipefail

url="${GOVFLOW_DATABASE_URL:-}"
url="${url/postgresql+asyncpg:/postgresql:}"
psql_=(psql -X -q -v ON_ERROR_STOP=1 ${url:+"$url"})

# Parents first (the import order); each table's rows for the tenant whose id, as an SQL
# literal, is $lit (\copy takes its query literally: no psql variables in it).
tables=(tenants diagram_sets diagram_files process_instances engine_rows variables tasks
        task_candidates message_subscriptions timers history)
where() {
    case "$1" in
        tenants) echo "id = $lit" ;;
        diagram_files) echo "set_id IN (SELECT id FROM diagram_sets WHERE tenant_id = $lit)" ;;
        engine_rows|variables) echo "instance_id IN (SELECT id FROM process_instances WHERE tenant_id = $lit)" ;;
        task_candidates) echo "task_id IN (SELECT id FROM tasks WHERE tenant_id = $lit)" ;;
        *) echo "tenant_id = $lit" ;;
    esac
}

case "${1:-}" in
export)
    [ $# -eq 3 ] || { echo "usage: $0 export TENANT DIR" >&2; exit 2; }
    tenant="$2"; dir="$3"
    lit="'${tenant//\'/\'\'}'"
    mkdir -p "$dir"
    {
        echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
        echo "\\copy (SELECT version_num FROM alembic_version) TO '$dir/revision'"
        for t in "${tables[@]}"; do
            echo "\\copy (SELECT * FROM $t WHERE $(where "$t")) TO '$dir/$t.csv' WITH (FORMAT csv, HEADER)"
        done
        echo "COMMIT;"
    } | "${psql_[@]}"
    [ "$(wc -l < "$dir/tenants.csv")" -eq 2 ] || { echo "no tenant $tenant" >&2; exit 1; }
    echo "$tenant exported to $dir (schema revision $(cat "$dir/revision"))"
    ;;
import)
    [ $# -eq 2 ] || { echo "usage: $0 import DIR" >&2; exit 2; }
    dir="$2"
    tenant="$(sed -n 2p "$dir/tenants.csv" | cut -d, -f1)"
    lit="'${tenant//\'/\'\'}'"
    revision="$(cat "$dir/revision")"
    {
        echo "BEGIN;"
        echo "SELECT (SELECT version_num FROM alembic_version) = '$revision' AS same_revision \\gset"
        echo "\\if :same_revision"
        echo "\\else"
        echo "\\echo 'refused: the database is not at the backup''s schema revision $revision'"
        echo "\\quit"
        echo "\\endif"
        echo "SELECT count(*) = 0 AS absent FROM tenants WHERE id = $lit \\gset"
        echo "\\if :absent"
        echo "\\else"
        echo "\\echo 'refused: tenant $tenant exists in this database'"
        echo "\\quit"
        echo "\\endif"
        for t in "${tables[@]}"; do
            echo "\\copy $t FROM '$dir/$t.csv' WITH (FORMAT csv, HEADER)"
        done
        # Serial ids restored as they were: move the sequences past them.
        for t in diagram_sets history; do
            echo "SELECT setval(pg_get_serial_sequence('$t', 'id'), GREATEST((SELECT max(id) FROM $t), 1));"
        done
        echo "COMMIT;"
        echo "\\echo imported"
    } > "$dir/.import.sql"
    out="$("${psql_[@]}" -f "$dir/.import.sql" 2>&1)" || true
    rm -f "$dir/.import.sql"
    if [ "$(printf '%s\n' "$out" | tail -n 1)" != "imported" ]; then
        printf '%s\n' "$out" >&2
        echo "$tenant not imported" >&2
        exit 1
    fi
    echo "$tenant imported from $dir"
    ;;
*)
    echo "usage: $0 export TENANT DIR | import DIR" >&2; exit 2 ;;
esac
