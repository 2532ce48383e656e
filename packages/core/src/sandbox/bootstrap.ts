import { CAPABILITIES_SOURCE } from './in-isolate/capabilities.js';
import { CONSOLE_SOURCE } from './in-isolate/console.js';
import { CRYPTO_SOURCE } from './in-isolate/crypto.js';
import { DRIVER_SOURCE } from './in-isolate/driver.js';
import { ENCODING_SOURCE } from './in-isolate/encoding.js';
import { INSPECT_SOURCE } from './in-isolate/inspect.js';
import { SERIALIZE_SOURCE } from './in-isolate/serialize.js';
import { STRUCTURED_CLONE_SOURCE } from './in-isolate/structured-clone.js';
import { TIMERS_SOURCE } from './in-isolate/timers.js';
import { URL_SOURCE } from './in-isolate/url.js';

/** The file name of the bootstrap script; its frames are removed from tenant-visible stacks. */
export const BOOTSTRAP_FILENAME = 'vmd:bootstrap';

/**
 * The bootstrap script: one function expression (the script's completion value) that the bridge
 * calls once per isolate with `(emit, seedHex)` and that returns the driver.
 *
 * The in-isolate sources are plain JavaScript strings, not host functions' `.toString()`: a
 * transpiler may rewrite a host function (helpers such as `__name`, downlevelled syntax) and a
 * string cannot capture a host closure by accident. Everything is defined inside the factory's
 * scope, so `emit` and the driver exist only as closure variables: no temporary global ever
 * holds them, and there is nothing to delete afterwards.
 */
export const BOOTSTRAP_SOURCE = [
  '(function vmdBootstrap(__emit, __seedHex) {',
  "'use strict';",
  INSPECT_SOURCE,
  CONSOLE_SOURCE,
  ENCODING_SOURCE,
  CRYPTO_SOURCE,
  STRUCTURED_CLONE_SOURCE,
  URL_SOURCE,
  TIMERS_SOURCE,
  SERIALIZE_SOURCE,
  CAPABILITIES_SOURCE,
  DRIVER_SOURCE,
  'return __driver;',
  '})',
].join('\n');
