import { readFileSync } from 'node:fs';
import { DEFAULT_ADDRESS, type VmdClientOptions, type VmdTlsOptions } from './client-options.js';
import { parseAddress } from './connection.js';
import { VmdClientError } from './errors.js';

/**
 * Environment variables read by {@link loadClientConfig} (shared by `vmctl` and programs
 * that want the same behaviour). Empty values count as unset.
 */
export const CLIENT_ENV = {
  /** Daemon address (`host:port`, `unix:/path`, …). */
  address: 'VMD_ADDR',
  /** Alias of `VMD_ADDR` (`VMD_ADDR` wins when both are set). */
  addressAlias: 'VMD_ADDRESS',
  /** API key (secure mode). */
  apiKey: 'VMD_API_KEY',
  /** File holding the API key (first line); `VMD_API_KEY` wins when both are set. */
  apiKeyFile: 'VMD_API_KEY_FILE',
  /** Default tenant. */
  tenant: 'VMD_TENANT',
  /** `1`/`true` for TLS with the system roots; implied by any `VMD_TLS_*` file. */
  tls: 'VMD_TLS',
  /** CA certificate file (PEM). */
  tlsCa: 'VMD_TLS_CA',
  /** Client certificate file for mTLS (PEM). */
  tlsCert: 'VMD_TLS_CERT',
  /** Client key file for mTLS (PEM). */
  tlsKey: 'VMD_TLS_KEY',
  /** Expected name in the daemon's certificate. */
  tlsServerName: 'VMD_TLS_SERVER_NAME',
} as const;

/** Where a setting came from: `flag`, `env:VMD_…`, `file:VMD_API_KEY_FILE` or `default`. */
export type ConfigSource = 'flag' | 'default' | `env:${string}` | `file:${string}`;

/** Settings that win over the environment (the CLI's flags). */
export interface ClientConfigOverrides {
  /** Daemon address. */
  address?: string | undefined;
  /** API key. */
  apiKey?: string | undefined;
  /** File holding the API key (first line). */
  apiKeyFile?: string | undefined;
  /** Default tenant. */
  tenant?: string | undefined;
}

/** Inputs of {@link loadClientConfig}. */
export interface LoadClientConfigOptions {
  /**
   * The environment to read.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Values that win over the environment (command-line flags).
   * @default {}
   */
  overrides?: ClientConfigOverrides;
  /**
   * Reads a file as UTF-8 (replaceable in tests).
   * @default fs.readFileSync
   */
  readFile?: (path: string) => string;
}

/** What {@link loadClientConfig} returns. */
export interface LoadedClientConfig {
  /** Options for `new VmdClient(options)`. */
  options: VmdClientOptions & { address: string };
  /** Where address, apiKey, tenant and tls came from (for messages such as "set VMD_ADDR"). */
  sources: { address: ConfigSource; apiKey: ConfigSource; tenant: ConfigSource; tls: ConfigSource };
}

/**
 * Resolves client settings from flags (`overrides`), then `VMD_*` environment variables,
 * then defaults (`127.0.0.1:50051`, no key, plaintext). Reads key and certificate files.
 *
 * @throws VmdClientError `INVALID_ARGUMENT` naming the variable or flag and the bad value.
 * @example
 * ```ts
 * const client = new VmdClient(loadClientConfig().options);
 * ```
 */
export function loadClientConfig(options: LoadClientConfigOptions = {}): LoadedClientConfig {
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? {};
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const fromEnv = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const read = (path: string, what: string, source: ConfigSource): string => {
    try {
      return readFile(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw VmdClientError.invalidArgument(
        what,
        `cannot read ${what} file '${path}' (from ${source}): ${reason}`,
      );
    }
  };

  // address: flag > VMD_ADDR > VMD_ADDRESS > default
  let address = DEFAULT_ADDRESS;
  let addressSource: ConfigSource = 'default';
  const addressCandidates: [string | undefined, ConfigSource][] = [
    [blankToUndefined(overrides.address), 'flag'],
    [fromEnv(CLIENT_ENV.address), `env:${CLIENT_ENV.address}`],
    [fromEnv(CLIENT_ENV.addressAlias), `env:${CLIENT_ENV.addressAlias}`],
  ];
  for (const [value, source] of addressCandidates) {
    if (value !== undefined) {
      address = value;
      addressSource = source;
      break;
    }
  }
  try {
    parseAddress(address);
  } catch (error) {
    if (error instanceof VmdClientError) {
      throw VmdClientError.invalidArgument(
        'address',
        `${error.detail} (from ${describeSource(addressSource)})`,
      );
    }
    throw error;
  }

  // api key: flag > key file flag > VMD_API_KEY > VMD_API_KEY_FILE
  let apiKey: string | undefined;
  let apiKeySource: ConfigSource = 'default';
  const flagKey = blankToUndefined(overrides.apiKey);
  const flagKeyFile = blankToUndefined(overrides.apiKeyFile);
  const envKey = fromEnv(CLIENT_ENV.apiKey);
  const envKeyFile = fromEnv(CLIENT_ENV.apiKeyFile);
  if (flagKey !== undefined) {
    apiKey = flagKey;
    apiKeySource = 'flag';
  } else if (flagKeyFile !== undefined) {
    apiKey = firstLine(read(flagKeyFile, 'api key', 'flag'));
    apiKeySource = 'file:--api-key-file';
  } else if (envKey !== undefined) {
    apiKey = envKey;
    apiKeySource = `env:${CLIENT_ENV.apiKey}`;
  } else if (envKeyFile !== undefined) {
    apiKey = firstLine(read(envKeyFile, 'api key', `env:${CLIENT_ENV.apiKeyFile}`));
    apiKeySource = `file:${CLIENT_ENV.apiKeyFile}`;
  }
  if (apiKey === '') {
    throw VmdClientError.invalidArgument(
      'apiKey',
      `the api key from ${describeSource(apiKeySource)} is empty`,
    );
  }

  // tenant: flag > VMD_TENANT
  let tenant: string | undefined;
  let tenantSource: ConfigSource = 'default';
  if (blankToUndefined(overrides.tenant) !== undefined) {
    tenant = blankToUndefined(overrides.tenant);
    tenantSource = 'flag';
  } else if (fromEnv(CLIENT_ENV.tenant) !== undefined) {
    tenant = fromEnv(CLIENT_ENV.tenant);
    tenantSource = `env:${CLIENT_ENV.tenant}`;
  }

  // tls: env only for now
  let tls: VmdTlsOptions | undefined;
  let tlsSource: ConfigSource = 'default';
  const tlsFlag = fromEnv(CLIENT_ENV.tls);
  const tlsOn = parseBoolean(tlsFlag, CLIENT_ENV.tls);
  const ca = fromEnv(CLIENT_ENV.tlsCa);
  const cert = fromEnv(CLIENT_ENV.tlsCert);
  const key = fromEnv(CLIENT_ENV.tlsKey);
  const serverName = fromEnv(CLIENT_ENV.tlsServerName);
  const anyTlsFile = ca !== undefined || cert !== undefined || key !== undefined;
  if (tlsOn === true || (tlsOn === undefined && (anyTlsFile || serverName !== undefined))) {
    tls = {};
    const firstSet = [
      CLIENT_ENV.tls,
      CLIENT_ENV.tlsCa,
      CLIENT_ENV.tlsCert,
      CLIENT_ENV.tlsKey,
      CLIENT_ENV.tlsServerName,
    ].find((key) => fromEnv(key) !== undefined);
    tlsSource = `env:${firstSet ?? CLIENT_ENV.tls}`;
    if (ca !== undefined) tls.ca = read(ca, 'TLS CA', `env:${CLIENT_ENV.tlsCa}`);
    if (cert !== undefined) tls.cert = read(cert, 'TLS certificate', `env:${CLIENT_ENV.tlsCert}`);
    if (key !== undefined) tls.key = read(key, 'TLS key', `env:${CLIENT_ENV.tlsKey}`);
    if (serverName !== undefined) tls.serverName = serverName;
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      throw VmdClientError.invalidArgument(
        'tls',
        `mTLS needs both ${CLIENT_ENV.tlsCert} and ${CLIENT_ENV.tlsKey}; only one is set`,
      );
    }
  }

  const result: VmdClientOptions & { address: string } = { address };
  if (apiKey !== undefined) result.apiKey = apiKey;
  if (tenant !== undefined) result.tenant = tenant;
  if (tls !== undefined) result.tls = tls;
  return {
    options: result,
    sources: { address: addressSource, apiKey: apiKeySource, tenant: tenantSource, tls: tlsSource },
  };
}

/** "VMD_ADDR", "the --addr flag", "the default": for messages. */
export function describeSource(source: ConfigSource): string {
  if (source === 'flag') return 'a command-line flag';
  if (source === 'default') return 'the default';
  return source.slice(source.indexOf(':') + 1);
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/, 1)[0] ?? '').trim();
}

function parseBoolean(value: string | undefined, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw VmdClientError.invalidArgument(key, `${key}='${value}' is not a boolean: use 1/true or 0/false`);
}
