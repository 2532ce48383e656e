// A serverless platform on vmd: deploy a function once, invoke it with events and resource
// limits. Start a daemon first (`npm run serve`), then:
//   node examples/serverless/deploy-and-invoke.mjs      (VMD_ADDR overrides 127.0.0.1:50051)
import { readFile } from 'node:fs/promises';
import { VmdClient } from '@vmd/client';

const client = new VmdClient({
  address: process.env.VMD_ADDR ?? '127.0.0.1:50051',
  tenant: 'serverless-demo',
});
try {
  const source = await readFile(new URL('./hello.js', import.meta.url), 'utf8');
  const { version } = await client.functions.deploy('hello', source, { memoryMb: 32, timeoutMs: 1000 });
  console.log(`deployed hello v${version}`);

  for (let i = 1; i <= 2; i++) {
    const r = await client.functions.invoke('hello', { path: '/', attempt: i }, { timeoutMs: 500 });
    if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.message}`);
    console.log(`${r.warm ? 'warm' : 'cold'}: ${JSON.stringify(r.value.value)}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  client.close();
}
