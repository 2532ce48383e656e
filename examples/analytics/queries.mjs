// Per-tenant analytics on vmd: each tenant registers queries (plain JavaScript expressions over
// `data`) that run against that tenant's own data set, isolated from other tenants.
// Start a daemon first (`npm run serve`), then:
//   node examples/analytics/queries.mjs      (VMD_ADDR overrides 127.0.0.1:50051)
import { VmdClient } from '@vmd/client';

const tenants = {
  'acme-analytics': {
    data: {
      users: [
        { name: 'ada', age: 36 },
        { name: 'alan', age: 41 },
        { name: 'grace', age: 85 },
      ],
    },
    queries: {
      users: 'data.users.length',
      averageAge: 'data.users.reduce((sum, u) => sum + u.age, 0) / data.users.length',
      oldest: 'data.users.toSorted((a, b) => b.age - a.age)[0].name',
    },
  },
  'globex-analytics': {
    data: { users: [{ name: 'hank', age: 52 }] },
    queries: { users: 'data.users.length', leaks: 'typeof acmeData' },
  },
};

const client = new VmdClient({ address: process.env.VMD_ADDR ?? '127.0.0.1:50051' });
try {
  for (const [tenant, { data, queries }] of Object.entries(tenants)) {
    for (const [name, expression] of Object.entries(queries)) {
      // The data set goes in as the run's input (a copy); the query sees it as `data`.
      const r = await client.run(`const data = input;\n(${expression})`, {
        tenant,
        input: data,
        timeoutMs: 200,
        memoryMib: 16,
      });
      console.log(
        `${tenant} ${name} = ${r.ok ? JSON.stringify(r.value.value) : `${r.failure.kind}: ${r.failure.message}`}`,
      );
    }
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  client.close();
}
