/** Percentile (nearest-rank) of a list of numbers; `p` in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Latency summary of one round, milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
  n: number;
}

/** Summarizes a list of latencies (ms). */
export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const mean = latenciesMs.reduce((a, b) => a + b, 0) / latenciesMs.length;
  return { p50: percentile(latenciesMs, 50), p99: percentile(latenciesMs, 99), mean, n: latenciesMs.length };
}

/** Runs `task` `total` times with at most `concurrency` in flight; returns per-task latencies (ms) and wall time. */
export async function runConcurrent(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ latenciesMs: number[]; wallMs: number }> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return { latenciesMs, wallMs: performance.now() - started };
}

/** One round of a scenario. */
export interface ScenarioRound {
  latency: LatencySummary;
  throughputPerSec: number;
}

/** A scenario's rounds and their medians, as reported in the table and the JSON report. */
export interface ScenarioResult {
  name: string;
  description: string;
  concurrency: number;
  runsPerRound: number;
  rounds: ScenarioRound[];
  median: { p50Ms: number; p99Ms: number; throughputPerSec: number };
  /** Scenario-specific figures (medians over rounds), e.g. refused requests. */
  extra?: Record<string, number>;
}

/** Builds a {@link ScenarioResult} from its rounds (medians over rounds). */
export function scenarioResult(
  name: string,
  description: string,
  concurrency: number,
  runsPerRound: number,
  rounds: ScenarioRound[],
  extra?: Record<string, number>,
): ScenarioResult {
  return {
    name,
    description,
    concurrency,
    runsPerRound,
    rounds,
    median: {
      p50Ms: median(rounds.map((x) => x.latency.p50)),
      p99Ms: median(rounds.map((x) => x.latency.p99)),
      throughputPerSec: median(rounds.map((x) => x.throughputPerSec)),
    },
    ...(extra === undefined ? {} : { extra }),
  };
}
