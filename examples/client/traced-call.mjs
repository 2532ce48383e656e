// A calling service with OpenTelemetry tracing: its span's trace continues into vmd, because
// @vmd/client sends the active context as W3C `traceparent` metadata. Start a daemon with
// tracing on (`npx vmd serve --otel-console`, or OTEL_TRACES_EXPORTER=otlp …), then:
//   node examples/client/traced-call.mjs      (VMD_ADDR overrides 127.0.0.1:50051)
// The daemon's spans and its `rpc` log line carry the trace id this prints.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { VmdClient } from '@vmd/client';

// The service's own tracing set-up (usually @opentelemetry/sdk-node with an exporter).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const provider = new TracerProvider();
trace.setGlobalTracerProvider(provider);

const client = new VmdClient({ address: process.env.VMD_ADDR ?? '127.0.0.1:50051' });
try {
  await trace.getTracer('checkout-service').startActiveSpan('price-cart', async (span) => {
    const r = await client.run('input.items.reduce((sum, i) => sum + i.price, 0)', {
      tenant: 'acme',
      input: { items: [{ price: 3 }, { price: 4 }] },
    });
    console.log(`trace ${span.spanContext().traceId}`);
    console.log(`total ${r.ok ? r.value.value : `${r.failure.kind}: ${r.failure.message}`}`);
    span.end();
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  client.close();
  await provider.shutdown();
}
