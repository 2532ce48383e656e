/**
 * Test kit for vmd's integration and end-to-end tests: starts the real `vmd` binary on
 * loopback with a fresh data directory, and runs the real `vmctl` binary.
 *
 * @module
 */
export { startDaemon, VMD_BIN } from './start-daemon.js';
export type { LogLine, RunningDaemon, StartDaemonOptions } from './start-daemon.js';
export { runCli, normalizeCliOutput, VMCTL_BIN } from './run-cli.js';
export type { CliResult, RunCliOptions } from './run-cli.js';
export { repoRoot } from './paths.js';
export { runExample } from './run-example.js';
export type { ExampleResult } from './run-example.js';
