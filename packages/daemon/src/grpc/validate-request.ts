/**
 * Field validators for incoming requests. Each throws an {@link InvalidArgumentError} naming the
 * proto field (snake_case, dotted for nested fields: `limits.memory_mib`).
 */
import { ErrorCode, InvalidArgumentError, LIMIT_BOUNDS, type Limits } from '@vmd/core';
import { SourceType, type ExecuteRequest, type Limits as WireLimits } from '@vmd/client/wire';

/** Tenant ids: lowercase letters, digits, `-` and `_`, starting with a letter or digit, ≤ 63 chars. */
export const TENANT_ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The tenant used when a local-mode request leaves `tenant` empty. */
export const DEFAULT_TENANT_ID = 'default';

const FILENAME_RE = /^[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,199}$/;

/** Validates a tenant id (empty → {@link DEFAULT_TENANT_ID}). */
export function validateTenantId(value: string, field = 'tenant'): string {
  if (value === '') return DEFAULT_TENANT_ID;
  if (!TENANT_ID_RE.test(value)) {
    throw new InvalidArgumentError(
      field,
      `${field} '${truncate(value)}' is not a valid tenant id: use 1-63 characters [a-z0-9_-], starting with a letter or digit`,
    );
  }
  return value;
}

/**
 * Validates source code: at most `maxCodeBytes` UTF-8 bytes. Empty (or whitespace-only) code is
 * a valid program, as for Node (`node empty.js` exits 0): it runs and its result is `undefined`;
 * an empty REPL input shows nothing, like pressing Enter at Node's prompt.
 */
export function validateCode(code: string, maxCodeBytes: number, field = 'code'): void {
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > maxCodeBytes) {
    throw new InvalidArgumentError(
      field,
      `${field} is ${bytes} bytes, more than the limit of ${maxCodeBytes} bytes: send smaller code`,
      ErrorCode.CODE_TOO_LARGE,
    );
  }
}

/** Validates `input_json`: empty, or one valid JSON text. */
export function validateInputJson(value: string, field = 'input_json'): void {
  if (value === '') return;
  try {
    JSON.parse(value);
  } catch (err) {
    throw new InvalidArgumentError(
      field,
      `${field} is not valid JSON (${(err as Error).message}); send JSON text such as {"n": 1} or leave it empty`,
    );
  }
}

/** Validates `source_type` and returns the engine's form. */
export function validateSourceType(value: SourceType, field = 'source_type'): 'script' | 'module' {
  switch (value) {
    case SourceType.SOURCE_TYPE_UNSPECIFIED:
    case SourceType.SOURCE_TYPE_SCRIPT:
      return 'script';
    case SourceType.SOURCE_TYPE_MODULE:
      return 'module';
    default:
      throw new InvalidArgumentError(
        field,
        `${field} ${String(value)} is not a known source type: use SOURCE_TYPE_SCRIPT (1) or SOURCE_TYPE_MODULE (2)`,
      );
  }
}

/** Validates `filename` (empty → `main.js`). */
export function validateFilename(value: string, field = 'filename'): string {
  if (value === '') return 'main.js';
  if (!FILENAME_RE.test(value) || value.split('/').includes('..')) {
    throw new InvalidArgumentError(
      field,
      `${field} '${truncate(value)}' is not valid: use up to 200 characters [A-Za-z0-9_.-/] without '..'`,
    );
  }
  return value;
}

const WIRE_LIMIT_FIELDS: readonly [keyof WireLimits, keyof Limits, string][] = [
  ['memoryMib', 'memoryMib', 'memory_mib'],
  ['cpuTimeMs', 'cpuTimeMs', 'cpu_time_ms'],
  ['wallTimeMs', 'wallTimeMs', 'wall_time_ms'],
  ['outputBytes', 'outputBytes', 'output_bytes'],
  ['resultBytes', 'resultBytes', 'result_bytes'],
  ['consoleLinesPerSecond', 'consoleLinesPerSecond', 'console_lines_per_second'],
];

/**
 * Validates requested limits. 0 means "the quota"; a non-zero value below the hard floor is
 * rejected (a larger one is later clamped to the quota). Returns the requested limits (0 → unset).
 */
export function validateLimits(limits: WireLimits | undefined, field = 'limits'): Partial<Limits> {
  const out: Partial<Limits> = {};
  if (!limits) return out;
  for (const [wireKey, key, protoName] of WIRE_LIMIT_FIELDS) {
    const value = limits[wireKey];
    if (value === 0) continue;
    const { min } = LIMIT_BOUNDS[key];
    if (!Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(
        `${field}.${protoName}`,
        `${field}.${protoName} is ${String(value)}; use 0 for the tenant's quota or a value of at least ${min}`,
      );
    }
    out[key] = value;
  }
  return out;
}

/** A validated Execute request. */
export interface ValidExecuteRequest {
  tenantId: string;
  code: string;
  sourceType: 'script' | 'module';
  inputJson: string;
  filename: string;
  requestedLimits: Partial<Limits>;
}

/**
 * Validates an ExecuteRequest.
 * @throws InvalidArgumentError (code INVALID_ARGUMENT or CODE_TOO_LARGE) naming the field.
 */
export function validateExecuteRequest(
  req: ExecuteRequest,
  opts: { maxCodeBytes: number },
): ValidExecuteRequest {
  const tenantId = validateTenantId(req.tenant);
  validateCode(req.code, opts.maxCodeBytes);
  const sourceType = validateSourceType(req.sourceType);
  validateInputJson(req.inputJson);
  const filename = validateFilename(req.filename);
  const requestedLimits = validateLimits(req.limits);
  return { tenantId, code: req.code, sourceType, inputJson: req.inputJson, filename, requestedLimits };
}

function truncate(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
