#!/usr/bin/env bash
# Installs the pinned bpmnlint and element-templates JSON schema (package-lock.json) next to
# the GovFlow bpmnlint plugin, for tests/diagrams/test_bpmnlint.py, test_element_templates.py
# and for linting by hand (docs/modeler.md). Idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null || { echo "bpmnlint setup.sh: node is missing (Node.js >= 18)" >&2; exit 1; }
command -v npm >/dev/null || { echo "bpmnlint setup.sh: npm is missing" >&2; exit 1; }

if [ ! -f "$here/node_modules/bpmnlint/bin/bpmnlint.js" ] \
    || [ ! -f "$here/node_modules/@camunda/element-templates-json-schema/resources/schema.json" ]; then
    echo "bpmnlint setup.sh: installing npm packages in tools/bpmnlint-plugin-govflow (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "bpmnlint setup.sh: ready (node $(node --version))"
