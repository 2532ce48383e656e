/**
 * In-isolate source: `crypto.getRandomValues` and `crypto.randomUUID`.
 *
 * A ChaCha20 keystream (RFC 8439 block function) keyed with 32 bytes of host randomness
 * (`node:crypto.randomBytes`) that the host copies in, as a hex string, when the isolate is
 * created. Randomness therefore never needs a synchronous host call (DESIGN: sync callbacks
 * defeat the timeout), and every isolate — one per run — has its own key.
 */
export const CRYPTO_SOURCE = String.raw`
const __chachaKey = new Uint32Array(8);
for (let i = 0; i < 8; i++) __chachaKey[i] = parseInt(__seedHex.slice(i * 8, i * 8 + 8), 16) >>> 0;
let __chachaCounter = 0;
const __chachaBlock = new Uint8Array(64);
let __chachaPos = 64;
function __rotl(x, n) { return (x << n) | (x >>> (32 - n)); }
function __chachaNext() {
  const s = new Uint32Array(16);
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = __chachaKey[i];
  s[12] = __chachaCounter >>> 0; s[13] = Math.floor(__chachaCounter / 4294967296) >>> 0; s[14] = 0; s[15] = 0;
  __chachaCounter++;
  const x = new Uint32Array(s);
  const qr = (a, b, c, d) => {
    x[a] += x[b]; x[d] = __rotl(x[d] ^ x[a], 16);
    x[c] += x[d]; x[b] = __rotl(x[b] ^ x[c], 12);
    x[a] += x[b]; x[d] = __rotl(x[d] ^ x[a], 8);
    x[c] += x[d]; x[b] = __rotl(x[b] ^ x[c], 7);
  };
  for (let r = 0; r < 10; r++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) {
    const v = (x[i] + s[i]) >>> 0;
    __chachaBlock[i * 4] = v & 255; __chachaBlock[i * 4 + 1] = (v >>> 8) & 255;
    __chachaBlock[i * 4 + 2] = (v >>> 16) & 255; __chachaBlock[i * 4 + 3] = (v >>> 24) & 255;
  }
  __chachaPos = 0;
}
function __randomBytesInto(bytes) {
  for (let i = 0; i < bytes.length; i++) {
    if (__chachaPos === 64) __chachaNext();
    bytes[i] = __chachaBlock[__chachaPos++];
  }
}
const __crypto = {
  getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
      const e = new TypeError("Failed to execute 'getRandomValues' on 'Crypto': The provided value is not of type 'Integer-typed ArrayBufferView'");
      e.name = 'TypeMismatchError';
      throw e;
    }
    if (array.byteLength > 65536) {
      const e = new Error("Failed to execute 'getRandomValues' on 'Crypto': The ArrayBufferView's byte length (" + array.byteLength + ') exceeds the number of bytes of entropy available via this API (65536)');
      e.name = 'QuotaExceededError';
      throw e;
    }
    __randomBytesInto(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  },
  randomUUID() {
    const b = new Uint8Array(16);
    __randomBytesInto(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = '';
    for (let i = 0; i < 16; i++) { h += b[i].toString(16).padStart(2, '0'); if (i === 3 || i === 5 || i === 7 || i === 9) h += '-'; }
    return h;
  },
};
`;
