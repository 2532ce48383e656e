#!/usr/bin/env bash
# `npm run serve`: builds vmd, starts `vmd serve` on its embedded defaults (local mode,
# 127.0.0.1:50051, one worker per core), shows it working with a first execution through
# the real `vmctl`, then keeps the daemon in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
nx run-many -t build --projects=core,client,daemon,cli --output-style=static >/dev/null \
  || nx run-many -t build --projects=core,client,daemon,cli --output-style=stream

addr=${VMD_ADDR:-127.0.0.1:50051}
node packages/daemon/dist/main.js serve --listen "$addr" --log-format pretty "$@" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon' INT TERM

for _ in $(seq 1 100); do
  if node packages/cli/dist/main.js --addr "$addr" health >/dev/null 2>&1; then break; fi
  if ! kill -0 $daemon 2>/dev/null; then wait $daemon; exit $?; fi
  sleep 0.1
done
echo
echo "vmd is serving on $addr. A first execution, through vmctl:"
echo "  \$ vmctl exec examples/hello/hello.js --tenant demo"
node packages/cli/dist/main.js --addr "$addr" exec examples/hello/hello.js --tenant demo || true
echo
echo "Try it:  npx vmctl exec examples/hello/hello.js --tenant a   (Ctrl-C here stops the daemon)"
wait $daemon
