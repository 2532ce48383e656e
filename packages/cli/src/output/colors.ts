import pc from 'picocolors';
import type { CliOutput } from '../io.js';

/** The colour functions of picocolors (identity functions when colours are off). */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Whether to colour `stream`: never with `--no-color` or `NO_COLOR`; always with
 * `FORCE_COLOR` (other than `0`); otherwise only on a terminal. Pipes stay plain.
 */
export function shouldColor(
  stream: CliOutput,
  env: Readonly<Record<string, string | undefined>>,
  colorFlag: boolean,
): boolean {
  if (!colorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

/** Colour functions for one stream. */
export function createColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
