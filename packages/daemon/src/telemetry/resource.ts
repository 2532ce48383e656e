/**
 * The OpenTelemetry resource of everything vmd exports, traces and metrics alike:
 * `service.name` vmd and `service.version`, on top of the SDK's defaults (`telemetry.sdk.*`).
 * The standard `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` override or add attributes,
 * e.g. `service.instance.id` when several daemons report to one backend.
 */
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import { VERSION } from '../version.js';

export function vmdResource(): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'vmd', 'service.version': VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
}
