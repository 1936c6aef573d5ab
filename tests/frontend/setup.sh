#!/usr/bin/env bash
# Installs the pinned npm packages of tests/frontend (openapi-typescript, openapi-fetch,
# typescript, react-jsonschema-form's utils and validator) for
# tests/frontend/test_typescript_client.py. Idempotent: does nothing when they are there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null || { echo "frontend/setup.sh: node is missing (Node.js >= 20)" >&2; exit 1; }
command -v npm >/dev/null || { echo "frontend/setup.sh: npm is missing" >&2; exit 1; }

if [ ! -x "$here/node_modules/.bin/openapi-typescript" ] || [ ! -x "$here/node_modules/.bin/tsc" ] \
    || [ ! -d "$here/node_modules/@rjsf/validator-ajv8" ]; then
    echo "frontend/setup.sh: installing npm packages in tests/frontend (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "frontend/setup.sh: ready (node $(node --version))"
