#!/usr/bin/env bash
# Fails if the generated wire code (or the copy of proto/ shipped by @vmd/client) differs
# from what `npm run gen` produces. --porcelain also catches new and deleted files.
set -euo pipefail
changes=$(git status --porcelain -- packages/client/src/gen packages/client/proto proto)
if [[ -n $changes ]]; then
  echo "generated code is stale or uncommitted:" >&2
  echo "$changes" >&2
  echo "run \`npm run gen\` and commit the result" >&2
  exit 1
fi
echo "generated code is up to date"
