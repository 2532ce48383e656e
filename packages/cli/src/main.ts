#!/usr/bin/env node
import { runCli } from './cli.js';
import { createProcessIo } from './io.js';

// A reader that went away (`vmctl exec x.js | head -1`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), createProcessIo());
// Exit only once stdout and stderr have flushed (they are asynchronous when piped), so a
// JSON document is never cut short; the handlers have already closed their gRPC channels.
process.exitCode = code;
process.stdout.write('', () => {
  process.stderr.write('', () => process.exit(code));
});
