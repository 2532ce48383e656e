/** The URL prefix of every tenant file in stack traces. */
export const TENANT_URL_PREFIX = 'file:///tenant/';

const FRAME_RE = /^\s*at /;
const LOCATION_RE = /file:\/\/\/tenant\/[^\s)]*?:(\d+):(\d+)/;

/**
 * Keeps the header (`Name: message`, possibly several lines) and only the frames that point
 * into the tenant's source (`file:///tenant/…`): no isolated-vm boundary, bootstrap (`vmd:`),
 * or host frames survive.
 */
export function trimStack(stack: string): string {
  const lines = stack.split('\n');
  const out: string[] = [];
  let inFrames = false;
  for (const line of lines) {
    if (FRAME_RE.test(line)) {
      inFrames = true;
      // Tenant code runs through the sandbox's indirect eval: its top-level frame
      // `at eval (file:…)` is shown as Node shows one, `at file:…`, and an anonymous function
      // called on a receiver, `at Timeout.eval (…)`, as `at Timeout.<anonymous> (…)`.
      if (line.includes(TENANT_URL_PREFIX))
        out.push(
          line
            .replace(/^(\s*at (?:async )?)eval \((file:\/\/\/tenant\/[^)]*)\)$/, '$1$2')
            .replace(
              /^(\s*at (?:async )?(?:new )?[\w$.]+)\.eval (\(file:\/\/\/tenant\/)/,
              '$1.<anonymous> $2',
            ),
        );
    } else if (!inFrames) {
      out.push(line);
    }
  }
  return out.join('\n');
}

/** The 1-based line/column of the first tenant frame of a stack, or zeros. */
export function tenantLocation(stack: string): { line: number; column: number } {
  for (const line of stack.split('\n')) {
    if (!FRAME_RE.test(line)) continue;
    const m = LOCATION_RE.exec(line);
    if (m !== null) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return { line: 0, column: 0 };
}
