// Runs tenant code in vmd from another Node service: streams its console output as it happens,
// then prints the typed outcome. Start a daemon first (`npm run serve`), then:
//   node examples/client/run-sum.mjs            (VMD_ADDR overrides 127.0.0.1:50051)
import { VmdClient, VmdClientError } from '@vmd/client';

const client = new VmdClient({ address: process.env.VMD_ADDR ?? '127.0.0.1:50051' });
try {
  const execution = client.execute(
    `console.log('adding', input.numbers.length, 'numbers');
     console.warn('this goes to stderr');
     input.numbers.reduce((a, b) => a + b, 0);`,
    { tenant: 'acme', input: { numbers: [1, 2, 3, 4] }, timeoutMs: 1000, memoryMib: 32 },
  );

  for await (const event of execution) {
    console.log(`[${event.stream}] ${event.text}`);
  }

  const outcome = await execution.outcome;
  if (outcome.ok) {
    console.log(`result: ${outcome.value.preview} (cpu ${outcome.metrics.cpuTimeMs.toFixed(2)} ms)`);
  } else {
    console.log(`${outcome.failure.kind}: ${outcome.failure.message}`);
    process.exitCode = 1;
  }

  // A failure of the tenant's code is an outcome, not an exception.
  const bad = await client.run('null.x', { tenant: 'acme' });
  if (!bad.ok) console.log(`caught: ${bad.failure.kind} ${bad.failure.name} at line ${bad.failure.line}`);
} catch (error) {
  if (!(error instanceof VmdClientError)) throw error;
  console.error(error.message); // e.g. "UNAVAILABLE: cannot reach vmd at …: is `vmd serve` running?"
  process.exitCode = 2;
} finally {
  client.close();
}
