/**
 * In-isolate source: `TextEncoder`/`TextDecoder` (UTF-8 only, as in the WHATWG Encoding
 * standard's default) and `atob`/`btoa` (forgiving base64, throwing `InvalidCharacterError`).
 *
 * They call only the built-ins captured at the top of inspect.ts: a tenant that replaces
 * `String.prototype.charCodeAt`, `String.fromCharCode` or the global `Uint8Array` still encodes
 * and decodes the same bytes.
 */
export const ENCODING_SOURCE = String.raw`
class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(input = '') {
    const s = __String(input);
    // __utf8Length counts exactly what __encodeInto writes (a lone surrogate is U+FFFD, 3 bytes).
    const out = new __Uint8Array(__utf8Length(s));
    __encodeInto(s, out);
    return out;
  }
  encodeInto(input, dest) {
    if (!__isInstance(__Uint8ArrayProto, dest)) throw new __TypeError('The "dest" argument must be an instance of Uint8Array.');
    return __encodeInto(__String(input), dest);
  }
}

function __encodeInto(s, dest) {
  let read = 0, written = 0;
  const len = __taLength(dest);
  for (let i = 0; i < s.length; i++) {
    let c = __StringCharCodeAt(s, i);
    let units = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = __StringCharCodeAt(s, i + 1);
      if ((d & 0xfc00) === 0xdc00) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); units = 2; }
      else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    const need = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (written + need > len) break;
    if (need === 1) dest[written++] = c;
    else if (need === 2) { dest[written++] = 0xc0 | (c >> 6); dest[written++] = 0x80 | (c & 63); }
    else if (need === 3) { dest[written++] = 0xe0 | (c >> 12); dest[written++] = 0x80 | ((c >> 6) & 63); dest[written++] = 0x80 | (c & 63); }
    else { dest[written++] = 0xf0 | (c >> 18); dest[written++] = 0x80 | ((c >> 12) & 63); dest[written++] = 0x80 | ((c >> 6) & 63); dest[written++] = 0x80 | (c & 63); }
    read += units;
    i += units - 1;
  }
  return { read, written };
}

/** The bytes of an ArrayBuffer or a view, read through the getters captured at bootstrap. */
function __viewBytes(input) {
  if (__isInstance(__ArrayBufferProto, input)) return new __Uint8Array(input);
  if (!__ArrayBufferIsView(input)) {
    throw new __TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView.');
  }
  if (__isTypedArray(input)) return new __Uint8Array(__taBuffer(input), __taByteOffset(input), __taByteLength(input));
  return new __Uint8Array(__dvBuffer(input), __dvByteOffset(input), __dvByteLength(input));
}

class TextDecoder {
  constructor(label = 'utf-8', options = {}) {
    const l = __StringToLowerCase(__StringTrim(__String(label)));
    if (l !== 'utf-8' && l !== 'utf8' && l !== 'unicode-1-1-utf-8') {
      throw new __RangeError('The "' + label + '" encoding is not supported');
    }
    __defineOwn(this, '__fatal', { __proto__: null, value: !!(options && options.fatal) });
    __defineOwn(this, '__ignoreBOM', { __proto__: null, value: !!(options && options.ignoreBOM) });
    // Between calls with { stream: true }: the bytes of a character cut by the end of a chunk,
    // and whether the stream's start (where a BOM is dropped) is behind.
    __defineOwn(this, '__pending', { __proto__: null, value: new __Uint8Array(0), writable: true });
    __defineOwn(this, '__started', { __proto__: null, value: false, writable: true });
  }
  get encoding() { return 'utf-8'; }
  get fatal() { return this.__fatal; }
  get ignoreBOM() { return this.__ignoreBOM; }
  decode(input, options) {
    const stream = !!(options !== undefined && options !== null && options.stream);
    let bytes = input === undefined ? new __Uint8Array(0) : __viewBytes(input);
    const held = __taLength(this.__pending);
    if (held > 0) {
      const merged = new __Uint8Array(held + __taLength(bytes));
      for (let k = 0; k < held; k++) merged[k] = this.__pending[k];
      for (let k = held; k < __taLength(merged); k++) merged[k] = bytes[k - held];
      bytes = merged;
    }
    this.__pending = new __Uint8Array(0);
    const length = __taLength(bytes);
    const hold = (from) => {
      const tail = new __Uint8Array(length - from);
      for (let k = 0; k < __taLength(tail); k++) tail[k] = bytes[from + k];
      this.__pending = tail;
    };
    let i = 0;
    if (!this.__started && !this.__ignoreBOM) {
      if (length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
      else if (stream && length < 3 && (length < 1 || bytes[0] === 0xef) && (length < 2 || bytes[1] === 0xbb)) {
        hold(0); // perhaps the start of a BOM: decided by the next chunk
        return '';
      }
    }
    this.__started = stream;
    const parts = [];
    // UTF-16 code units, flushed as a string every 8192 (an argument list for fromCharCode).
    let chunk = [];
    let n = 0;
    const bad = () => {
      if (this.__fatal) {
        this.__started = false;
        const e = new __TypeError('The encoded data was not valid for encoding utf-8');
        __defineOwn(e, 'code', { __proto__: null, value: 'ERR_ENCODING_INVALID_ENCODED_DATA', writable: true, enumerable: true, configurable: true });
        throw e;
      }
      chunk[n++] = 0xfffd;
    };
    while (i < length) {
      const b = bytes[i];
      let cp = -1, need = 0, min = 0;
      if (b < 0x80) { cp = b; need = 0; }
      else if (b >= 0xc2 && b <= 0xdf) { cp = b & 0x1f; need = 1; min = 0x80; }
      else if (b >= 0xe0 && b <= 0xef) { cp = b & 0x0f; need = 2; min = 0x800; }
      else if (b >= 0xf0 && b <= 0xf4) { cp = b & 0x07; need = 3; min = 0x10000; }
      else { bad(); i++; continue; }
      let j = 1;
      for (; j <= need; j++) {
        const c = bytes[i + j];
        if (c === undefined || (c & 0xc0) !== 0x80) break;
        cp = (cp << 6) | (c & 0x3f);
      }
      // A character cut by the end of this chunk: its bytes wait for the next one.
      if (stream && j <= need && i + j >= length) { hold(i); break; }
      if (j <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { bad(); i += __MathMax(1, j - 1 > 0 && j <= need ? j : 1); continue; }
      i += need + 1;
      if (cp >= 0x10000) { cp -= 0x10000; chunk[n++] = 0xd800 + (cp >> 10); chunk[n++] = 0xdc00 + (cp & 0x3ff); }
      else chunk[n++] = cp;
      if (n >= 8192) { __ArrayPush(parts, __reflectApply(__StringFromCharCode, null, chunk)); chunk = []; n = 0; }
    }
    __ArrayPush(parts, __reflectApply(__StringFromCharCode, null, chunk));
    return __ArrayJoin(parts, '');
  }
}

const __b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const __b64SpaceRe = /[\t\n\f\r ]/g;
const __b64InvalidRe = /[^A-Za-z0-9+/]/;
function __emptyString() { return ''; }
function __invalidChar(msg) {
  const e = new __Error(msg);
  __defineOwn(e, 'name', { __proto__: null, value: 'InvalidCharacterError', writable: true, enumerable: true, configurable: true });
  return e;
}
function btoa(data) {
  if (arguments.length === 0) throw new __TypeError('The "data" argument must be specified');
  const s = __String(data);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = __StringCharCodeAt(s, i), b = __StringCharCodeAt(s, i + 1), c = __StringCharCodeAt(s, i + 2);
    if (a > 255 || b > 255 || c > 255) throw __invalidChar('Invalid character');
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += __b64[(n >> 18) & 63] + __b64[(n >> 12) & 63] + (i + 1 < s.length ? __b64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? __b64[n & 63] : '=');
  }
  return out;
}
function atob(data) {
  if (arguments.length === 0) throw new __TypeError('The "data" argument must be specified');
  let s = __reReplace(__b64SpaceRe, __String(data), __emptyString);
  // s.replace(/==?$/, '') on a length that is a multiple of 4.
  if (s.length % 4 === 0 && __StringEndsWith(s, '=')) s = __StringSlice(s, 0, __StringEndsWith(s, '==') ? -2 : -1);
  if (s.length % 4 === 1 || __reTest(__b64InvalidRe, s)) throw __invalidChar('The string to be decoded is not correctly encoded.');
  let out = '';
  let buf = 0, bits = 0;
  for (let i = 0; i < s.length; i++) {
    buf = (buf << 6) | __StringIndexOf(__b64, s[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; out += __StringFromCharCode((buf >> bits) & 255); }
  }
  return out;
}
`;
