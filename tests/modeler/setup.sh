#!/usr/bin/env bash
# Installs what tests/diagrams/test_modeler_import.py needs: Debian's chromium and the pinned
# npm packages of tests/modeler (bpmn-js, playwright-core); and the OpenID provider that
# tests/auth/test_oidc.py starts (tests/oidc: oidc-provider). Idempotent: does nothing when
# all are there. Run as root (CI is) or with sudo available for the apt-get part.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup.sh: $chromium is missing and this is not root: install the Debian package chromium" >&2; exit 1; }
        sudo="sudo"
    fi
    echo "setup.sh: installing chromium (apt-get)"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    [ -x "$chromium" ] || { echo "setup.sh: apt-get installed chromium but $chromium is still missing" >&2; exit 1; }
fi

command -v node >/dev/null || { echo "setup.sh: node is missing (Node.js >= 20 is needed)" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup.sh: npm is missing" >&2; exit 1; }

if [ ! -f "$here/node_modules/bpmn-js/dist/bpmn-modeler.development.js" ] \
    || [ ! -d "$here/node_modules/playwright-core" ]; then
    echo "setup.sh: installing npm packages in tests/modeler (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d "$here/../oidc/node_modules/oidc-provider" ]; then
    echo "setup.sh: installing npm packages in tests/oidc (npm ci)"
    (cd "$here/../oidc" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "setup.sh: ready ($("$chromium" --version 2>/dev/null | head -n1 || echo chromium), node $(node --version))"
