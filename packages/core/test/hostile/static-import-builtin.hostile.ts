import type { HostileCase } from './harness.js';

/**
 * A module that statically imports Node built-ins. The engine's module linker must refuse
 * every specifier: the run fails with a typed tenant error (it is the tenant's code that is
 * wrong, so not a platform `run-error`), and nothing is loaded.
 */
const hostileCase: HostileCase = {
  name: 'static-import-builtin',
  description: "module with `import fs from 'node:fs'` and `import { execSync } from 'child_process'`",
  sourceType: 'module',
  code: `import fs from 'node:fs';
import { execSync } from 'child_process';
fs.writeFileSync('/tmp/vmd-static-import', execSync('id').toString());
export default 'imported';`,
  expect: { status: 'error', kind: ['RUNTIME', 'SYNTAX'] },
};
export default hostileCase;
