#!/usr/bin/env bash
# Installs the workspace on a fresh machine, whatever the system Node is.
#
# The repo pins Node 24 as the devDependency "node" (DESIGN.md). Install scripts must run on
# that Node, not on the system one: isolated-vm's install step picks its prebuilt binary by
# the Node ABI of whoever runs it. So: install without scripts, then run the "node" package's
# own install (which puts Node 24 in node_modules/.bin), then every other install script
# under Node 24.
set -euo pipefail
cd "$(dirname "$0")/../.."

stamp=node_modules/.vmd-install-stamp
if [[ -f $stamp && $stamp -nt package-lock.json && -x node_modules/.bin/node ]]; then
  exit 0
fi

echo "vmd: installing dependencies (npm ci, Node 24 pinned by the repo)…" >&2
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
npm rebuild node --loglevel=error
export PATH="$PWD/node_modules/.bin:$PATH"
echo "vmd: using $(node --version) from node_modules/.bin" >&2
npm rebuild --loglevel=error
touch "$stamp"
