// A host application with third-party plugins on vmd. Each plugin is a deployed function of its
// own tenant (so its kv store is its own), granted only the kv capability. The host's event API
// is data: plugins receive events and return actions; the host applies only the actions it
// offers (send-email, log) and ignores the rest. Start a daemon first (`npm run serve`), then:
//   node examples/plugin-host/host.mjs      (VMD_ADDR overrides 127.0.0.1:50051)
import { readFile } from 'node:fs/promises';
import { VmdClient, VmdClientError } from '@vmd/client';

const PLUGINS = ['welcome', 'audit', 'evil'];
const HOST_ACTIONS = {
  'send-email': (a) => `email to ${a.to}: ${a.subject}`,
  log: (a) => `log: ${a.message}`,
};

const client = new VmdClient({ address: process.env.VMD_ADDR ?? '127.0.0.1:50051' });

async function install(name) {
  const tenant = `plugin-${name}`;
  try {
    await client.tenants.create(tenant, { capabilities: { kv: true }, quotas: { kvBytes: 64 * 1024 } });
  } catch (error) {
    if (!(error instanceof VmdClientError && error.code === 'ALREADY_EXISTS')) throw error;
  }
  const source = await readFile(new URL(`./plugins/${name}.js`, import.meta.url), 'utf8');
  await client.functions.deploy('plugin', source, {
    tenant,
    capabilities: ['kv'],
    timeoutMs: 200,
    memoryMb: 16,
  });
}

async function dispatch(event) {
  for (const name of PLUGINS) {
    const r = await client.functions.invoke('plugin', event, { tenant: `plugin-${name}`, timeoutMs: 200 });
    if (!r.ok) {
      console.log(`[${name}] failed (${r.failure.kind}); the host carries on`);
      continue;
    }
    for (const action of r.value.value?.actions ?? []) {
      const apply = HOST_ACTIONS[action?.type];
      console.log(
        `[${name}] ${apply ? apply(action) : `ignored action '${action?.type}' (not offered by the host)`}`,
      );
    }
  }
}

try {
  for (const name of PLUGINS) await install(name);
  await dispatch({ type: 'user.signup', payload: { email: 'ada@example.com' } });
  await dispatch({ type: 'user.login', payload: { email: 'ada@example.com' } });
  await dispatch({ type: 'user.signup', payload: { email: 'alan@example.com' } });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  client.close();
}
