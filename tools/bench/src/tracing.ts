/**
 * The cost of tracing on the request path (`npm run bench`): Execute latency at concurrency 1
 * with tracing off (no OTEL_* set: the no-op API only), on but sampling nothing
 * (OTEL_TRACES_SAMPLER=always_off), and on with every request sampled and exported over OTLP/HTTP
 * to a local collector stand-in (an HTTP server that accepts and counts the exports). Daemons
 * run one at a time; each is stopped before the next starts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VmdClient } from '@vmd/client';
import { startDaemon } from '@vmd/testkit';
import {
  runConcurrent,
  scenarioResult,
  summarize,
  type ScenarioResult,
  type ScenarioRound,
} from './stats.js';
import type { BenchContext } from './tenancy.js';

async function collectorStandIn(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
  };
}

export async function tracingScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const collector = await collectorStandIn();
  const variants: Array<[string, string, Record<string, string>]> = [
    ['tracing-off-c1', 'Execute, tracing off (no OTEL_* configured)', {}],
    [
      'tracing-unsampled-c1',
      'Execute, tracing on, sampling nothing',
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_TRACES_SAMPLER: 'always_off',
      },
    ],
    [
      'tracing-exported-c1',
      'Execute, tracing on, every request sampled and exported (OTLP/HTTP to a local stand-in)',
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    ],
  ];
  const rounds = new Map<string, ScenarioRound[]>(variants.map(([name]) => [name, []]));
  const total = ctx.n(500);
  try {
    // Rounds alternate between the variants so machine noise hits them alike.
    for (let r = 0; r < ctx.rounds; r++) {
      for (const [name, , env] of variants) {
        const daemon = await startDaemon({ workers: ctx.workers, env });
        const client = new VmdClient({ address: daemon.address });
        try {
          const task = async (): Promise<void> => {
            const out = await client.run(ctx.code, { tenant: 'bench-tracing' });
            if (!out.ok) throw new Error(`unexpected outcome: ${JSON.stringify(out)}`);
          };
          await runConcurrent(50, 1, task);
          const { latenciesMs, wallMs } = await runConcurrent(total, 1, task);
          const round = { latency: summarize(latenciesMs), throughputPerSec: (total / wallMs) * 1000 };
          rounds.get(name)!.push(round);
          ctx.progress(
            `${name} round ${r + 1}/${ctx.rounds}: p50 ${round.latency.p50.toFixed(3)} ms, p99 ${round.latency.p99.toFixed(3)} ms`,
          );
        } finally {
          client.close();
          await daemon.stop();
        }
      }
    }
    ctx.progress(`tracing: the collector stand-in received ${collector.requests()} exports`);
    return variants.map(([name, description]) =>
      scenarioResult(
        name,
        description,
        1,
        total,
        rounds.get(name)!,
        name === 'tracing-exported-c1' ? { exports: collector.requests() } : undefined,
      ),
    );
  } finally {
    collector.server.close();
  }
}
