import { VmdClient, loadClientConfig, type LoadedClientConfig, type VmdClientOptions } from '@vmd/client';
import type { CliIo } from './io.js';
import { createColors, shouldColor, type Colors } from './output/colors.js';

/** The part of {@link VmdClient} the commands use (replaceable in tests). */
export type CliClient = Pick<
  VmdClient,
  'address' | 'execute' | 'run' | 'health' | 'close' | 'raw' | 'tenants' | 'repl' | 'functions' | 'monitor'
>;

/** Seams for in-process tests. */
export interface CliDependencies {
  /**
   * Makes the client for the resolved options.
   * @default `new VmdClient(options)`
   */
  createClient?: (options: VmdClientOptions) => CliClient;
}

/** The global flags, as commander parses them. */
export interface GlobalOptions {
  addr?: string;
  address?: string;
  apiKey?: string;
  apiKeyFile?: string;
  tenant?: string;
  json?: boolean;
  /** `false` with `--no-color`. */
  color?: boolean;
}

/** See {@link CliContext.errorContext}. */
export interface ErrorContextNotes {
  /** The tenant named by a positional argument. */
  tenantArgument?: string;
  /** Files sent to the daemon, by the path it knows them by. */
  files?: Readonly<Record<string, string>>;
}

/**
 * What a command handler needs: I/O, output mode, colours per stream, and the client
 * configuration (flags > `VMD_*` environment > defaults), resolved once.
 */
export class CliContext {
  /** `--json`: exactly one JSON document on stdout, nothing else. */
  readonly json: boolean;
  /** Colours for stdout. */
  readonly out: Colors;
  /** Colours for stderr. */
  readonly err: Colors;
  /**
   * What the running command tells the error report, so that hints fit the command line:
   * the tenant it names as an argument (`vmctl tenant get NAME`: a TENANT_NOT_FOUND is about
   * that argument, not --tenant), and the files it sent (a code frame for `file:line:column`).
   */
  readonly errorContext: ErrorContextNotes = {};
  private loaded: LoadedClientConfig | undefined;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
    private readonly dependencies: CliDependencies = {},
  ) {
    this.json = globals.json === true;
    const colorFlag = globals.color !== false;
    this.out = createColors(!this.json && shouldColor(io.stdout, io.env, colorFlag));
    this.err = createColors(shouldColor(io.stderr, io.env, colorFlag));
  }

  /**
   * The client configuration. Warns once when the API key came from a flag.
   * @throws VmdClientError `INVALID_ARGUMENT` for a bad address or unreadable key file.
   */
  config(): LoadedClientConfig {
    if (this.loaded === undefined) {
      this.loaded = loadClientConfig({
        env: this.io.env,
        overrides: {
          address: this.globals.addr ?? this.globals.address,
          apiKey: this.globals.apiKey,
          apiKeyFile: this.globals.apiKeyFile,
          tenant: this.globals.tenant,
        },
      });
      if (this.loaded.sources.apiKey === 'flag') {
        this.warn(
          '--api-key is visible to other users in `ps` and shell history; prefer VMD_API_KEY or --api-key-file',
        );
      }
    }
    return this.loaded;
  }

  /** A client for the configured daemon. The caller closes it. */
  createClient(): CliClient {
    const options = this.config().options;
    return this.dependencies.createClient?.(options) ?? new VmdClient(options);
  }

  /** Runs `fn` with a client for the configured daemon, closing it afterwards. */
  async withClient<T>(fn: (client: CliClient) => Promise<T>): Promise<T> {
    const client = this.createClient();
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  /** Writes `vmctl: warning: …` to stderr. */
  warn(message: string): void {
    this.io.stderr.write(`${this.err.yellow('vmctl: warning:')} ${message}\n`);
  }
}
