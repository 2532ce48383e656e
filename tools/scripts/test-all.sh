#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it: format and lint, the generated-code check,
# build and typecheck, then unit, integration (real worker processes, a real daemon on
# loopback) and end-to-end (the real vmctl binary) tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "node $(node --version)"
step "format"; prettier --check . --log-level warn
step "build"; nx run-many -t build --output-style=stream
step "lint"; nx run-many -t lint --output-style=stream && eslint eslint.config.mjs vitest.config.base.ts --max-warnings=0
step "proto: buf lint, regenerate, compare"; nx run client:codegen-check --skip-nx-cache --output-style=stream
step "typecheck"; nx run-many -t typecheck --output-style=stream
step "unit tests"; nx run-many -t test --output-style=stream
step "integration tests"; nx run-many -t integration --parallel=1 --output-style=stream
step "end-to-end tests"; nx run-many -t e2e --parallel=1 --output-style=stream
step "all tests passed"
