import { readFileSync, statSync } from 'node:fs';

/**
 * The admin token of secure mode: where it comes from, whether it is usable, and what an
 * operator should be warned about. `vmd serve` and `vmd config print` both check it through
 * {@link resolveAdminToken} (via loadConfig), so they report the same problems; the daemon reads
 * it the same way. The token itself never appears in a problem, a warning or a log line.
 */

/** The environment variable read when `adminTokenFile` is empty. */
export const ADMIN_TOKEN_ENV = 'VMD_ADMIN_TOKEN';

/** The shortest admin token accepted (leading and trailing spaces do not count). */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Where the admin token comes from. */
export type AdminTokenSource = { kind: 'file'; path: string } | { kind: 'env'; variable: string };

/** Something about the admin token that works but should be fixed. */
export interface AdminTokenWarning {
  /** For people (`vmd config print`): what is wrong and what to do. */
  text: string;
  /** A short, stable log message. */
  msg: string;
  /** The log line's fields. */
  fields: Record<string, unknown>;
}

/** What {@link resolveAdminToken} found. */
export interface ResolvedAdminToken {
  /** The token, when usable. Never log or print it. */
  token?: string;
  source: AdminTokenSource;
  /** Why the token cannot be used (each one names its file or variable). */
  problems: string[];
  warnings: AdminTokenWarning[];
}

/** Options of {@link resolveAdminToken}. */
export interface ResolveAdminTokenOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default fs.readFileSync(path, 'utf8') */
  readFile?: (path: string) => string;
  /** The file's permission bits. @default fs.statSync(path).mode */
  fileMode?: (path: string) => number;
}

/** `file /etc/vmd/admin-token` or `env VMD_ADMIN_TOKEN`: where the token came from, never the token. */
export function describeAdminTokenSource(source: AdminTokenSource): string {
  return source.kind === 'file' ? `file ${source.path}` : `env ${source.variable}`;
}

/**
 * Reads the admin token: the first line of `adminTokenFile`, else `VMD_ADMIN_TOKEN`, trimmed. It
 * must be at least {@link MIN_ADMIN_TOKEN_LENGTH} characters. A token file that group or others
 * may read (mode & 0o077) is a warning: the token is a password to every tenant's administration.
 */
export function resolveAdminToken(
  config: { adminTokenFile: string },
  options: ResolveAdminTokenOptions = {},
): ResolvedAdminToken {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const fileMode = options.fileMode ?? ((path: string) => statSync(path).mode);
  const min = MIN_ADMIN_TOKEN_LENGTH;

  if (config.adminTokenFile === '') {
    const source: AdminTokenSource = { kind: 'env', variable: ADMIN_TOKEN_ENV };
    const token = (env[ADMIN_TOKEN_ENV] ?? '').trim();
    if (token === '') {
      return {
        source,
        warnings: [],
        problems: [
          `--auth needs an admin token of at least ${min} characters: put it in a file given with --admin-token-file, or in ${ADMIN_TOKEN_ENV}`,
        ],
      };
    }
    if (token.length < min) {
      return {
        source,
        warnings: [],
        problems: [
          `the admin token in ${ADMIN_TOKEN_ENV} is shorter than ${min} characters; set a longer one (e.g. \`openssl rand -hex 32\`)`,
        ],
      };
    }
    return { token, source, problems: [], warnings: [] };
  }

  const path = config.adminTokenFile;
  const source: AdminTokenSource = { kind: 'file', path };
  let token: string;
  try {
    token = (readFile(path).split(/\r?\n/)[0] ?? '').trim();
  } catch (err) {
    return {
      source,
      warnings: [],
      problems: [`cannot read the admin token file ${path}: ${(err as Error).message}`],
    };
  }
  if (token === '') {
    return {
      source,
      warnings: [],
      problems: [
        `the admin token file ${path} has no token on its first line; put one of at least ${min} characters there`,
      ],
    };
  }
  if (token.length < min) {
    return {
      source,
      warnings: [],
      problems: [
        `the admin token in ${path} is shorter than ${min} characters; put a longer one in that file (e.g. \`openssl rand -hex 32 > ${path}\`)`,
      ],
    };
  }
  const warnings: AdminTokenWarning[] = [];
  let mode: number | undefined;
  try {
    mode = fileMode(path) & 0o777;
  } catch {
    mode = undefined; // it was just read; a stat failure here is not worth a problem
  }
  if (mode !== undefined && (mode & 0o077) !== 0) {
    const octal = `0${mode.toString(8).padStart(3, '0')}`;
    warnings.push({
      text: `the admin token file ${path} can be read by other users (mode ${octal}); chmod 600 ${path}`,
      msg: 'admin token file is readable by other users; chmod 600 it',
      fields: { admin_token_file: path, mode: octal },
    });
  }
  return { token, source, problems: [], warnings };
}
