import { VmdClientError } from '@vmd/client';
import type { CliContext } from '../context.js';
import { ExitCode } from '../output/exit-codes.js';
import { renderJson } from '../output/render.js';

/** Deadline of the health check, ms. */
const HEALTH_TIMEOUT_MS = 5000;

/**
 * `vmctl health`: SERVING → exit 0; anything else → a message on stderr and exit 2.
 * `--json` prints `{ status, address }` in every case (status `UNREACHABLE` or `ERROR` with
 * an `error` object when the check itself failed).
 */
export async function runHealth(context: CliContext): Promise<ExitCode> {
  const { io } = context;
  const client = context.createClient();
  const address = client.address;
  try {
    const status = await client.health({ timeoutMs: HEALTH_TIMEOUT_MS });
    if (context.json) {
      io.stdout.write(renderJson({ status, address }));
    } else {
      io.stdout.write(`${status === 'SERVING' ? context.out.green(status) : context.out.yellow(status)}\n`);
      if (status !== 'SERVING') {
        io.stderr.write(
          `${context.err.red('vmctl:')} vmd at ${address} answers ${status}: it is starting, shutting down, or has no healthy worker\n` +
            context.err.dim('hint: wait a moment and retry; check the daemon logs if it persists\n'),
        );
      }
    }
    return status === 'SERVING' ? ExitCode.OK : ExitCode.ERROR;
  } catch (error) {
    if (context.json && error instanceof VmdClientError) {
      io.stdout.write(
        renderJson({
          status: error.code === 'UNAVAILABLE' ? 'UNREACHABLE' : 'ERROR',
          address,
          error: { code: error.code, message: error.detail },
        }),
      );
    }
    throw error;
  } finally {
    client.close();
  }
}
