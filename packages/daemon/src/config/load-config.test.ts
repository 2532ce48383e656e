import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';
import { CONFIG_KEYS, defaultConfig, isLoopbackListen } from './schema.js';

const noEnv = { HOME: '/home/u' } as NodeJS.ProcessEnv;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on the embedded defaults', () => {
    const { config, sources } = loadConfig({ env: noEnv });
    expect(config.listen).toBe('127.0.0.1:50051');
    expect(config.workers).toBe(os.availableParallelism());
    expect(config.workerMaxInFlight).toBe(os.availableParallelism() + 1);
    expect(config.queueDepthPerTenant).toBe(256);
    expect(config.maxMessageBytes).toBe(8 * 1024 * 1024);
    expect(config.logLevel).toBe('info');
    expect(Object.values(sources).every((s) => s === 'default')).toBe(true);
  });

  it('uses XDG_DATA_HOME for the data dir', () => {
    expect(loadConfig({ env: { XDG_DATA_HOME: '/x/data' } }).config.dataDir).toBe('/x/data/vmd');
    expect(defaultConfig({}).dataDir).toBe(`${os.homedir()}/.local/share/vmd`);
  });

  it('applies defaults < file < env < flags and records sources', () => {
    const file = JSON.stringify({
      workers: 3,
      logLevel: 'debug',
      shutdownGraceMs: 100,
      defaultQuota: { memoryMib: 128 },
    });
    const { config, sources } = loadConfig({
      env: { ...noEnv, VMD_CONFIG: '/etc/vmd.json', VMD_WORKERS: '5', VMD_LOG_LEVEL: 'warn' },
      flags: { workers: '7' },
      readFile: () => file,
    });
    expect(config.workers).toBe(7);
    expect(sources['workers']).toBe('flag');
    expect(config.logLevel).toBe('warn');
    expect(sources['logLevel']).toBe('env');
    expect(config.shutdownGraceMs).toBe(100);
    expect(sources['shutdownGraceMs']).toBe('file');
    expect(config.defaultQuota.memoryMib).toBe(128);
    expect(sources['defaultQuota.memoryMib']).toBe('file');
    expect(sources['listen']).toBe('default');
  });

  it('returns a deep-frozen config', () => {
    const { config } = loadConfig({ env: noEnv });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.defaultQuota)).toBe(true);
  });

  it('reports every problem at once, naming key, source, value and expected form', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { ...noEnv, VMD_WORKERS: 'many', VMD_LOG_FORMAT: 'xml' },
        flags: { queueDepthPerTenant: '0', listen: 'nope' },
      }),
    );
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('workers'))).toMatch(
      /workers \(from env VMD_WORKERS\): got "many"; expected an integer from 1 to 256/,
    );
    expect(problems.find((p) => p.startsWith('logFormat'))).toMatch(
      /from env VMD_LOG_FORMAT.*"xml".*json or pretty/,
    );
    expect(problems.find((p) => p.startsWith('queueDepthPerTenant'))).toMatch(
      /from flag --queue-depth-per-tenant\): got 0/,
    );
    expect(problems.find((p) => p.startsWith('listen'))).toMatch(
      /from flag --listen\): got "nope"; expected HOST:PORT/,
    );
  });

  it('reports a cross-key problem together with the others', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { ...noEnv, VMD_WORKERS: 'x' }, flags: { listen: '0.0.0.0:1' } }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.startsWith('listen (from flag --listen)'))).toBe(true);
  });

  it('refuses a non-loopback listen address unless insecure', () => {
    const [p] = problemsOf(() => loadConfig({ env: noEnv, flags: { listen: '0.0.0.0:50051' } }));
    expect(p).toMatch(
      /listen \(from flag --listen\): got "0.0.0.0:50051"; is not a loopback address.*--insecure/,
    );
    expect(loadConfig({ env: noEnv, flags: { listen: '0.0.0.0:50051', insecure: true } }).config.listen).toBe(
      '0.0.0.0:50051',
    );
    expect(
      loadConfig({ env: { ...noEnv, VMD_INSECURE: 'true' }, flags: { listen: '10.0.0.1:1' } }).config
        .insecure,
    ).toBe(true);
  });

  it('refuses a non-loopback metrics address unless insecure, with or without auth', () => {
    const [p] = problemsOf(() => loadConfig({ env: { ...noEnv, VMD_METRICS: '0.0.0.0:9464' } }));
    expect(p).toMatch(
      /metrics \(from env VMD_METRICS\): got "0.0.0.0:9464"; is not a loopback address; the metrics endpoint has no authentication.*--insecure/,
    );
    const [secure] = problemsOf(() =>
      loadConfig({ env: noEnv, flags: { metrics: '[::]:9464', auth: true, listen: '0.0.0.0:50051' } }),
    );
    expect(secure).toMatch(/^metrics \(from flag --metrics\): got "\[::\]:9464"; is not a loopback address/);
    expect(
      loadConfig({ env: noEnv, flags: { metrics: '0.0.0.0:9464', insecure: true } }).config.metrics,
    ).toBe('0.0.0.0:9464');
    for (const loopback of ['127.0.0.1:9464', 'localhost:9464', '[::1]:9464']) {
      expect(loadConfig({ env: noEnv, flags: { metrics: loopback } }).config.metrics).toBe(loopback);
    }
  });

  it('rejects unknown keys and bad JSON in the config file', () => {
    expect(
      problemsOf(() => loadConfig({ env: noEnv, configFile: 'f.json', readFile: () => '{"wokers": 2}' }))[0],
    ).toMatch(/wokers \(from config file f.json\): unknown key/);
    expect(
      problemsOf(() => loadConfig({ env: noEnv, configFile: 'f.json', readFile: () => '{' }))[0],
    ).toMatch(/cannot be read as JSON/);
    expect(
      problemsOf(() =>
        loadConfig({
          env: noEnv,
          configFile: 'f.json',
          readFile: () => '{"defaultQuota": {"memoryMib": 2}}',
        }),
      )[0],
    ).toMatch(
      /defaultQuota.memoryMib \(from config file f.json\): got 2; expected an integer from 8 to 4096/,
    );
  });

  it('checks maxCodeBytes against maxMessageBytes', () => {
    expect(
      problemsOf(() =>
        loadConfig({ env: noEnv, flags: { maxCodeBytes: '9000', maxMessageBytes: '4096' } }),
      )[0],
    ).toMatch(/maxCodeBytes \(from flag --max-code-bytes\): got 9000; must be smaller than maxMessageBytes/);
  });

  it('accepts unix sockets and IPv6 loopback', () => {
    expect(loadConfig({ env: noEnv, flags: { listen: 'unix:/tmp/vmd.sock' } }).config.listen).toBe(
      'unix:/tmp/vmd.sock',
    );
    expect(loadConfig({ env: noEnv, flags: { listen: '[::1]:0' } }).config.listen).toBe('[::1]:0');
  });

  it('has one CONFIG_KEYS entry per leaf key, with unique env vars and flags', () => {
    const leaves = Object.keys(loadConfig({ env: noEnv }).sources).sort();
    expect(Object.keys(CONFIG_KEYS).sort()).toEqual(leaves);
    const envs = Object.values(CONFIG_KEYS).map((k) => k.env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const info of Object.values(CONFIG_KEYS)) expect(info.env).toMatch(/^VMD_[A-Z0-9_]+$/);
  });
});

describe('isLoopbackListen', () => {
  it.each([
    ['127.0.0.1:1', true],
    ['127.1.2.3:1', true],
    ['localhost:1', true],
    ['[::1]:1', true],
    ['unix:/x', true],
    ['0.0.0.0:1', false],
    ['[::]:1', false],
    ['example.com:1', false],
  ])('%s → %s', (listen, expected) => {
    expect(isLoopbackListen(listen)).toBe(expected);
  });
});
