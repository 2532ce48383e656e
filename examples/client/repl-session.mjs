// Drives a vmd REPL session from another Node service: state kept across inputs, console
// output streamed, completion, a dropped connection resumed by session id, an interrupt.
// Start a daemon first (`npm run serve`), then:
//   node examples/client/repl-session.mjs        (VMD_ADDR overrides 127.0.0.1:50051)
import { VmdClient } from '@vmd/client';

const client = new VmdClient({ address: process.env.VMD_ADDR ?? '127.0.0.1:50051' });
try {
  const session = await client.repl({ tenant: 'acme' });
  await session.eval('const prices = { apple: 3, pear: 5 }');
  const total = await session.eval('console.log("summing"); Object.values(prices).reduce((a, b) => a + b)', {
    onOutput: (event) => console.log(`[${event.stream}] ${event.text}`),
  });
  if (total.status === 'ok') console.log(`total: ${total.value.value}`);

  const { candidates } = await session.complete('prices.ap');
  console.log(`completions: ${candidates.join(', ')}`);

  // The connection drops; the session stays in the daemon for its idle TTL.
  const id = session.id;
  session.detach();
  const again = await client.repl({ tenant: 'acme', resume: id });
  const still = await again.eval('prices.pear');
  console.log(
    `resumed ${again.resumed ? 'the same' : 'a new'} session: pear = ${still.status === 'ok' ? still.value.preview : '?'}`,
  );

  // A long await can be interrupted without losing the session's state.
  const waiting = again.eval('await new Promise((r) => setTimeout(r, 60_000))');
  setTimeout(() => again.interrupt(), 100);
  const stopped = await waiting;
  console.log(
    `interrupted: ${stopped.status === 'error' ? stopped.failure.kind : stopped.status}, state lost: ${stopped.status === 'error' && stopped.stateLost}`,
  );
  await again.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  client.close();
}
