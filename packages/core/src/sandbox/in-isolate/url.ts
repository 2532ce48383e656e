/**
 * In-isolate source: `URL` and `URLSearchParams` (WHATWG URL Standard), pure JavaScript that runs
 * inside the isolate: no host callback, nothing from the host crosses.
 *
 * A port of the spec's basic URL parser (state machine, with state overrides for the setters),
 * host parser (domain, IPv4 with hex/octal parts, IPv6 with compression, opaque hosts), the
 * percent-encode sets and the application/x-www-form-urlencoded parser and serializer.
 *
 * Hostile tenants: every intrinsic used at call time is captured when the bootstrap runs
 * (uncurried `String.prototype.*`, `Array.prototype.join`, `Math.floor`…), internal lists are
 * null-prototype arrays filled by index (no `Array.prototype.push`, no inherited setters), the
 * URL record lives in private class fields, so later prototype pollution or replaced globals
 * (`encodeURIComponent`, `String.prototype.replace`…) do not change results. A foreign `this`
 * is a TypeError, as in Node: V8's private-member message for URL, ERR_INVALID_THIS for
 * URLSearchParams and its iterators.
 *
 * Non-ASCII host names (IDNA): implemented as a simplified UTS #46 ToASCII, then Punycode.
 * Labels are mapped with NFKC + toLowerCase (the ideographic full stops become '.', "ignored"
 * code points are dropped), unassigned/private-use/control/space code points are rejected, a
 * label may not start with a combining mark, a simplified RFC 5893 Bidi rule is applied and
 * existing `xn--` labels next to non-ASCII ones must decode. Known differences from Node (ada):
 * UTS #46's own case-folding table is not used (e.g. U+0345, Cherokee), CONTEXTJ is not
 * evaluated (ZWJ/ZWNJ are always rejected), the Bidi rule is partial; about 1% of single code
 * points differ. All-ASCII hosts are exact. `URL.createObjectURL`/`revokeObjectURL` do not exist
 * (there are no Blobs). console.log shows URL and URLSearchParams as Node does (inspect.ts).
 */
export const URL_SOURCE = String.raw`
const __uUncurry = __uncurry;
const __uCharCodeAt = __uUncurry(String.prototype.charCodeAt);
const __uCodePointAt = __uUncurry(String.prototype.codePointAt);
const __uStrSlice = __uUncurry(String.prototype.slice);
const __uToLower = __uUncurry(String.prototype.toLowerCase);
const __uNormalize = __uUncurry(String.prototype.normalize);
const __uToWellFormed = __uUncurry(String.prototype.toWellFormed);
const __uJoin = __uUncurry(Array.prototype.join);
const __uFromCodePoint = String.fromCodePoint;
const __uFromCharCode = String.fromCharCode;
const __uSetProto = Object.setPrototypeOf;
const __uDefineProperty = Object.defineProperty;
const __uOwnKeys = Reflect.ownKeys;
const __uGetOwnPropDesc = Object.getOwnPropertyDescriptor;
const __uFloor = Math.floor;
const __uTypeError = TypeError;
const __uApply = Reflect.apply;
const __uString = String;
const __uSymIterator = Symbol.iterator;
const __uSymToStringTag = Symbol.toStringTag;
const __uIteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
const __uHex = '0123456789ABCDEF';

function __uArr() { const a = []; __uSetProto(a, null); return a; }
function __uPush(a, v) { a[a.length] = v; }
function __uErr(msg, code) {
  const e = new __uTypeError(msg);
  __uDefineProperty(e, 'code', { __proto__: null, value: code, writable: true, configurable: true, enumerable: true });
  return e;
}
function __uInvalidUrl(input, base) {
  const e = __uErr('Invalid URL', 'ERR_INVALID_URL');
  __uDefineProperty(e, 'input', { __proto__: null, value: input, writable: true, configurable: true, enumerable: true });
  if (base !== undefined) __uDefineProperty(e, 'base', { __proto__: null, value: base, writable: true, configurable: true, enumerable: true });
  return e;
}
function __uMissing(name) { return __uErr('The "' + name + '" argument must be specified', 'ERR_MISSING_ARGS'); }
function __uInvalidThis(cls) { return __uErr('Value of "this" must be of type ' + cls, 'ERR_INVALID_THIS'); }
/** Node's URL keeps its state in a private field: a foreign receiver gets V8's plain TypeError. */
function __uNotAURL() { return new __uTypeError('Cannot read private member #context from an object whose class did not declare it'); }
/** ToString, then ToUSVString (lone surrogates become U+FFFD). */
function __uUSV(v) { return __uToWellFormed(typeof v === 'string' ? v : __uString(v)); }

/** Code points of a string, as a null-prototype array of numbers. */
function __uCodePoints(s) {
  const out = __uArr();
  for (let i = 0; i < s.length; i++) {
    const c = __uCodePointAt(s, i);
    out[out.length] = c;
    if (c > 0xffff) i++;
  }
  return out;
}
function __uCpCount(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) { n++; if (__uCodePointAt(s, i) > 0xffff) i++; }
  return n;
}

// ---- percent-encoding ---------------------------------------------------------------------
const __uSET_C0 = 0, __uSET_FRAGMENT = 1, __uSET_QUERY = 2, __uSET_SPECIAL_QUERY = 3, __uSET_PATH = 4,
  __uSET_USERINFO = 5, __uSET_COMPONENT = 6, __uSET_FORM = 7;
function __uInSet(c, set) {
  if (c < 0x20 || c > 0x7e) return true;
  if (set === __uSET_C0) return false;
  if (set === __uSET_FRAGMENT) return c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
  if (c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e) return true;
  if (set === __uSET_QUERY) return false;
  if (set === __uSET_SPECIAL_QUERY) return c === 0x27;
  if (c === 0x3f || c === 0x5e || c === 0x60 || c === 0x7b || c === 0x7d) return true;
  if (set === __uSET_PATH) return false;
  if (c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 || (c >= 0x5b && c <= 0x5e) || c === 0x7c) return true;
  if (set === __uSET_USERINFO) return false;
  if ((c >= 0x24 && c <= 0x26) || c === 0x2b || c === 0x2c) return true;
  if (set === __uSET_COMPONENT) return false;
  return c === 0x21 || (c >= 0x27 && c <= 0x29) || c === 0x7e;
}
function __uPctByte(b) { return '%' + __uHex[b >> 4] + __uHex[b & 15]; }
function __uUtf8Pct(c) {
  if (c < 0x80) return __uPctByte(c);
  if (c < 0x800) return __uPctByte(0xc0 | (c >> 6)) + __uPctByte(0x80 | (c & 63));
  if (c < 0x10000) return __uPctByte(0xe0 | (c >> 12)) + __uPctByte(0x80 | ((c >> 6) & 63)) + __uPctByte(0x80 | (c & 63));
  return __uPctByte(0xf0 | (c >> 18)) + __uPctByte(0x80 | ((c >> 12) & 63)) + __uPctByte(0x80 | ((c >> 6) & 63)) + __uPctByte(0x80 | (c & 63));
}
function __uPctEncode(c, set) { return __uInSet(c, set) ? __uUtf8Pct(c) : __uFromCodePoint(c); }
function __uPctEncodeString(s, set, spaceAsPlus) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = __uCodePointAt(s, i);
    if (c > 0xffff) i++;
    if (spaceAsPlus && c === 0x20) out += '+';
    else out += __uPctEncode(c, set);
  }
  return out;
}
function __uHexVal(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
/** Percent-decodes (optionally '+' as space) and UTF-8 decodes with replacement. */
function __uPctDecode(s, plusAsSpace) {
  const bytes = __uArr();
  for (let i = 0; i < s.length; i++) {
    const c = __uCharCodeAt(s, i);
    if (c === 0x25 && i + 2 < s.length && __uHexVal(__uCharCodeAt(s, i + 1)) >= 0 && __uHexVal(__uCharCodeAt(s, i + 2)) >= 0) {
      bytes[bytes.length] = __uHexVal(__uCharCodeAt(s, i + 1)) * 16 + __uHexVal(__uCharCodeAt(s, i + 2));
      i += 2;
    } else if (plusAsSpace && c === 0x2b) {
      bytes[bytes.length] = 0x20;
    } else if (c < 0x80) {
      bytes[bytes.length] = c;
    } else {
      const cp = __uCodePointAt(s, i);
      if (cp > 0xffff) i++;
      if (cp < 0x800) { bytes[bytes.length] = 0xc0 | (cp >> 6); bytes[bytes.length] = 0x80 | (cp & 63); }
      else if (cp < 0x10000) { bytes[bytes.length] = 0xe0 | (cp >> 12); bytes[bytes.length] = 0x80 | ((cp >> 6) & 63); bytes[bytes.length] = 0x80 | (cp & 63); }
      else { bytes[bytes.length] = 0xf0 | (cp >> 18); bytes[bytes.length] = 0x80 | ((cp >> 12) & 63); bytes[bytes.length] = 0x80 | ((cp >> 6) & 63); bytes[bytes.length] = 0x80 | (cp & 63); }
    }
  }
  return __uUtf8Decode(bytes);
}
function __uUtf8Decode(bytes) {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let cp, need, min;
    if (b < 0x80) { out += __uFromCharCode(b); i++; continue; }
    else if (b >= 0xc2 && b <= 0xdf) { cp = b & 0x1f; need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { cp = b & 0x0f; need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { cp = b & 0x07; need = 3; min = 0x10000; }
    else { out += '\ufffd'; i++; continue; }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || (c & 0xc0) !== 0x80) break;
      const next = (cp << 6) | (c & 0x3f);
      // Reject overlong / surrogate / out-of-range prefixes at the second byte, as WHATWG does.
      if (j === 1 && ((b === 0xe0 && c < 0xa0) || (b === 0xed && c > 0x9f) || (b === 0xf0 && c < 0x90) || (b === 0xf4 && c > 0x8f))) break;
      cp = next;
    }
    if (j <= need || cp < min) { out += '\ufffd'; i += j; continue; }
    out += __uFromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

// ---- hosts --------------------------------------------------------------------------------
function __uForbiddenHost(c) {
  return c === 0 || c === 9 || c === 10 || c === 13 || c === 0x20 || c === 0x23 || c === 0x2f || c === 0x3a ||
    c === 0x3c || c === 0x3e || c === 0x3f || c === 0x40 || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x5e || c === 0x7c;
}
function __uForbiddenDomain(c) { return __uForbiddenHost(c) || c <= 0x1f || c === 0x25 || c === 0x7f; }

function __uParseIPv4Number(s) {
  if (s === '') return -1;
  let r = 10, i = 0;
  if (s.length >= 2 && __uCharCodeAt(s, 0) === 0x30 && (__uCharCodeAt(s, 1) === 0x78 || __uCharCodeAt(s, 1) === 0x58)) { r = 16; i = 2; }
  else if (s.length >= 2 && __uCharCodeAt(s, 0) === 0x30) { r = 8; i = 1; }
  let n = 0;
  for (; i < s.length; i++) {
    const d = __uHexVal(__uCharCodeAt(s, i));
    if (d < 0 || d >= r) return -1;
    n = n * r + d;
  }
  return n;
}
function __uSplitDots(s) {
  const parts = __uArr();
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || __uCharCodeAt(s, i) === 0x2e) { __uPush(parts, __uStrSlice(s, start, i)); start = i + 1; }
  }
  return parts;
}
function __uEndsInNumber(s) {
  const parts = __uSplitDots(s);
  if (parts[parts.length - 1] === '') { if (parts.length === 1) return false; parts.length--; }
  const last = parts[parts.length - 1];
  if (last !== '') {
    let digits = true;
    for (let i = 0; i < last.length; i++) { const c = __uCharCodeAt(last, i); if (c < 0x30 || c > 0x39) { digits = false; break; } }
    if (digits) return true;
  }
  return __uParseIPv4Number(last) >= 0;
}
/** Returns the serialized IPv4 address or null. */
function __uParseIPv4(s) {
  const parts = __uSplitDots(s);
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.length--;
  if (parts.length > 4) return null;
  const nums = __uArr();
  for (let i = 0; i < parts.length; i++) {
    const n = __uParseIPv4Number(parts[i]);
    if (n < 0) return null;
    nums[i] = n;
  }
  for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return null;
  let limit = 1;
  for (let i = 0; i < 5 - nums.length; i++) limit *= 256;
  if (nums[nums.length - 1] >= limit) return null;
  let ip = nums[nums.length - 1];
  for (let i = 0; i < nums.length - 1; i++) {
    let f = 1;
    for (let k = 0; k < 3 - i; k++) f *= 256;
    ip += nums[i] * f;
  }
  let out = '';
  for (let i = 0; i < 4; i++) {
    out = __uString(ip % 256) + (i === 0 ? '' : '.') + out;
    ip = __uFloor(ip / 256);
  }
  return out;
}
/** Parses the inside of [...]; returns the serialized address (without brackets) or null. */
function __uParseIPv6(s) {
  const cp = __uCodePoints(s);
  const at = (i) => (i < cp.length ? cp[i] : -1);
  const a = __uArr();
  for (let i = 0; i < 8; i++) a[i] = 0;
  let piece = 0, compress = -1, p = 0;
  if (at(p) === 0x3a) {
    if (at(p + 1) !== 0x3a) return null;
    p += 2; piece++; compress = piece;
  }
  while (at(p) !== -1) {
    if (piece === 8) return null;
    if (at(p) === 0x3a) {
      if (compress !== -1) return null;
      p++; piece++; compress = piece; continue;
    }
    let value = 0, length = 0;
    while (length < 4 && at(p) !== -1 && __uHexVal(at(p)) >= 0) { value = value * 16 + __uHexVal(at(p)); p++; length++; }
    if (at(p) === 0x2e) {
      if (length === 0) return null;
      p -= length;
      if (piece > 6) return null;
      let seen = 0;
      while (at(p) !== -1) {
        let v4 = -1;
        if (seen > 0) {
          if (at(p) === 0x2e && seen < 4) p++;
          else return null;
        }
        if (!(at(p) >= 0x30 && at(p) <= 0x39)) return null;
        while (at(p) >= 0x30 && at(p) <= 0x39) {
          const n = at(p) - 0x30;
          if (v4 === -1) v4 = n;
          else if (v4 === 0) return null;
          else v4 = v4 * 10 + n;
          if (v4 > 255) return null;
          p++;
        }
        a[piece] = a[piece] * 0x100 + v4;
        seen++;
        if (seen === 2 || seen === 4) piece++;
      }
      if (seen !== 4) return null;
      break;
    } else if (at(p) === 0x3a) {
      p++;
      if (at(p) === -1) return null;
    } else if (at(p) !== -1) return null;
    a[piece] = value;
    piece++;
  }
  if (compress !== -1) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const t = a[piece]; a[piece] = a[compress + swaps - 1]; a[compress + swaps - 1] = t;
      piece--; swaps--;
    }
  } else if (piece !== 8) return null;
  // Serialize: compress the first longest run (length > 1) of zero pieces.
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (a[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && a[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  let out = '';
  let ignore0 = false;
  for (let i = 0; i < 8; i++) {
    if (ignore0 && a[i] === 0) continue;
    ignore0 = false;
    if (best === i) { out += i === 0 ? '::' : ':'; ignore0 = true; continue; }
    out += __uToLower(__uHexNum(a[i]));
    if (i !== 7) out += ':';
  }
  return out;
}
function __uHexNum(n) {
  let s = '';
  do { s = __uHex[n & 15] + s; n = n >>> 4; } while (n > 0);
  return s;
}

// Punycode (RFC 3492) encoding of one label.
function __uPunyDigit(d) { return __uFromCharCode(d < 26 ? 0x61 + d : 0x16 + d); }
function __uPunyAdapt(delta, numPoints, first) {
  delta = first ? __uFloor(delta / 700) : delta >> 1;
  delta += __uFloor(delta / numPoints);
  let k = 0;
  while (delta > 455) { delta = __uFloor(delta / 35); k += 36; }
  return k + __uFloor((36 * delta) / (delta + 38));
}
function __uPunycode(label) {
  const cps = __uCodePoints(label);
  let out = '';
  for (let i = 0; i < cps.length; i++) if (cps[i] < 0x80) out += __uFromCharCode(cps[i]);
  const b = out.length;
  let h = b;
  if (b > 0) out += '-';
  let n = 128, delta = 0, bias = 72;
  while (h < cps.length) {
    let m = 0x7fffffff;
    for (let i = 0; i < cps.length; i++) if (cps[i] >= n && cps[i] < m) m = cps[i];
    delta += (m - n) * (h + 1);
    n = m;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (c < n) delta++;
      if (c === n) {
        let q = delta;
        for (let k = 36; ; k += 36) {
          const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
          if (q < t) break;
          out += __uPunyDigit(t + ((q - t) % (36 - t)));
          q = __uFloor((q - t) / (36 - t));
        }
        out += __uPunyDigit(q);
        bias = __uPunyAdapt(delta, h + 1, h === b);
        delta = 0;
        h++;
      }
    }
    delta++; n++;
  }
  return out;
}
const __uRegExp = RegExp;
const __uReExec = __uUncurry(RegExp.prototype.exec);
let __uIdnaRe = null;
/**
 * The IDNA regular expressions, built on first use: Unicode property classes are costly to
 * build, and most isolates never see a non-ASCII host (bootstrap time matters: one isolate
 * per run).
 */
function __uIdna() {
  if (__uIdnaRe !== null) return __uIdnaRe;
  const rtl = '\\p{sc=Hebrew}\\p{sc=Arabic}\\p{sc=Syriac}\\p{sc=Thaana}\\p{sc=Nko}\\p{sc=Samaritan}\\p{sc=Mandaic}\\p{sc=Adlam}\\p{sc=Hanifi_Rohingya}\\p{sc=Yezidi}';
  __uIdnaRe = {
    __proto__: null,
    rtlLetter: new __uRegExp('(?=\\p{L})[' + rtl + ']', 'u'),
    rtlFirst: new __uRegExp('^(?=\\p{L})[' + rtl + ']', 'u'),
    ltrLetter: new __uRegExp('(?![' + rtl + '])\\p{L}', 'u'),
    // UTS #46 disallows unassigned, private-use, control, space and line/paragraph separators.
    disallowed: new __uRegExp('[\\p{Cn}\\p{Co}\\p{Cc}\\p{Zl}\\p{Zp}\\p{Zs}]', 'u'),
  };
  return __uIdnaRe;
}
/** A simplified RFC 5893 Bidi rule: a label with right-to-left letters starts with one and has no left-to-right letters. */
function __uBidiLabelOk(l) {
  const re = __uIdna();
  if (__uReExec(re.rtlLetter, l) === null) return true;
  return __uReExec(re.rtlFirst, l) !== null && __uReExec(re.ltrLetter, l) === null;
}
function __uIsCombiningMark(c) {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x483 && c <= 0x489) || (c >= 0x1ab0 && c <= 0x1aff) ||
    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
}
/** Decodes a Punycode label body (after 'xn--'); null if malformed. */
function __uPunyDecode(s) {
  const out = __uArr();
  let basicEnd = -1;
  for (let i = 0; i < s.length; i++) if (__uCharCodeAt(s, i) === 0x2d) basicEnd = i;
  for (let i = 0; i < (basicEnd < 0 ? 0 : basicEnd); i++) {
    const c = __uCharCodeAt(s, i);
    if (c >= 0x80) return null;
    out[out.length] = c;
  }
  let n = 128, i = 0, bias = 72;
  for (let pos = basicEnd < 0 ? 0 : basicEnd + 1; pos < s.length; ) {
    const oldi = i;
    let w = 1;
    for (let k = 36; ; k += 36) {
      if (pos >= s.length) return null;
      const c = __uCharCodeAt(s, pos++);
      const d = c >= 0x30 && c <= 0x39 ? c - 22 : c >= 0x41 && c <= 0x5a ? c - 0x41 : c >= 0x61 && c <= 0x7a ? c - 0x61 : -1;
      if (d < 0) return null;
      i += d * w;
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (d < t) break;
      w *= 36 - t;
      if (i > 0x10ffff * 64) return null;
    }
    bias = __uPunyAdapt(i - oldi, out.length + 1, oldi === 0);
    n += __uFloor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff) return null;
    for (let j = out.length; j > i; j--) out[j] = out[j - 1];
    out[i++] = n;
  }
  return out;
}
/** An existing 'xn--' label: decodes, has some non-ASCII, no C1 controls, and re-encodes the same. */
function __uPunyLabelOk(body) {
  const cps = __uPunyDecode(body);
  if (cps === null || cps.length === 0) return false;
  let label = '', nonAscii = false;
  for (let i = 0; i < cps.length; i++) {
    if (cps[i] >= 0x80) nonAscii = true;
    if (cps[i] >= 0x80 && cps[i] <= 0x9f) return false;
    label += __uFromCodePoint(cps[i]);
  }
  return nonAscii && __uPunycode(label) === __uToLower(body) && !__uIsCombiningMark(cps[0]);
}
/** Simplified UTS #46 ToASCII (see the file comment); returns null on failure. */
function __uDomainToASCII(domain) {
  let ascii = true;
  for (let i = 0; i < domain.length; i++) if (__uCharCodeAt(domain, i) >= 0x80) { ascii = false; break; }
  let result;
  if (ascii) {
    result = __uToLower(domain);
  } else {
    let mapped = '';
    for (let i = 0; i < domain.length; i++) {
      const c = __uCharCodeAt(domain, i);
      if (c === 0x3002 || c === 0xff0e || c === 0xff61) mapped += '.';
      // UTS #46 "ignored" code points (soft hyphen, zero-width space, word joiner, BOM,
      // combining grapheme joiner, variation selectors, Mongolian free variation selectors).
      else if (c === 0xad || c === 0x200b || c === 0x2060 || c === 0xfeff || c === 0x34f ||
        (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0x180b && c <= 0x180f)) continue;
      // Disallowed: C1 controls, joiners (CONTEXTJ is not evaluated: always rejected), line and
      // paragraph separators, bidi controls.
      else if ((c >= 0x80 && c <= 0x9f) || c === 0x200c || c === 0x200d || c === 0x2028 || c === 0x2029 ||
        (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return null;
      else mapped += domain[i];
    }
    mapped = __uNormalize(__uToLower(__uNormalize(__uToLower(mapped), 'NFKC')), 'NFC');
    const labels = __uSplitDots(mapped);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      let plain = true;
      for (let j = 0; j < l.length; j++) if (__uCharCodeAt(l, j) >= 0x80) { plain = false; break; }
      if (__uStrSlice(l, 0, 4) === 'xn--') {
        if (!plain || !__uPunyLabelOk(__uStrSlice(l, 4))) return null;
        continue;
      }
      if (plain) continue;
      if (__uReExec(__uIdna().disallowed, l) !== null) return null;
      const first = __uCodePointAt(l, 0);
      if (__uIsCombiningMark(first)) return null;
      if (!__uBidiLabelOk(l)) return null;
      labels[i] = 'xn--' + __uPunycode(l);
    }
    result = __uJoin(labels, '.');
  }
  if (result === '') return null;
  for (let i = 0; i < result.length; i++) if (__uForbiddenDomain(__uCharCodeAt(result, i))) return null;
  return result;
}
/** The host parser: returns the serialized host or null (failure). */
function __uParseHost(input, isOpaque) {
  if (__uCharCodeAt(input, 0) === 0x5b) {
    if (__uCharCodeAt(input, input.length - 1) !== 0x5d) return null;
    const v6 = __uParseIPv6(__uStrSlice(input, 1, input.length - 1));
    return v6 === null ? null : '[' + v6 + ']';
  }
  if (isOpaque) {
    for (let i = 0; i < input.length; i++) if (__uForbiddenHost(__uCharCodeAt(input, i))) return null;
    return __uPctEncodeString(input, __uSET_C0, false);
  }
  const ascii = __uDomainToASCII(__uPctDecode(input, false));
  if (ascii === null) return null;
  if (__uEndsInNumber(ascii)) return __uParseIPv4(ascii);
  return ascii;
}

// ---- the basic URL parser -----------------------------------------------------------------
function __uDefaultPort(s) {
  switch (s) {
    case 'http': case 'ws': return 80;
    case 'https': case 'wss': return 443;
    case 'ftp': return 21;
  }
  return null;
}
function __uIsSpecialScheme(s) {
  return s === 'http' || s === 'https' || s === 'ws' || s === 'wss' || s === 'ftp' || s === 'file';
}
function __uNewRecord() {
  return { __proto__: null, scheme: '', username: '', password: '', host: null, port: null, path: __uArr(), query: null, fragment: null };
}
function __uCloneRecord(r) {
  const o = __uNewRecord();
  o.scheme = r.scheme; o.username = r.username; o.password = r.password; o.host = r.host; o.port = r.port;
  o.path = __uClonePath(r.path); o.query = r.query; o.fragment = r.fragment;
  return o;
}
function __uClonePath(p) {
  if (typeof p === 'string') return p;
  const a = __uArr();
  for (let i = 0; i < p.length; i++) a[i] = p[i];
  return a;
}
function __uIsAlpha(c) { return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a); }
function __uIsDigit(c) { return c >= 0x30 && c <= 0x39; }
function __uIsWinLetter(s, normalizedOnly) {
  if (s.length !== 2 || !__uIsAlpha(__uCharCodeAt(s, 0))) return false;
  const c = __uCharCodeAt(s, 1);
  return c === 0x3a || (!normalizedOnly && c === 0x7c);
}
function __uStartsWithWinLetter(cp, p) {
  if (cp.length - p < 2) return false;
  if (!__uIsAlpha(cp[p]) || (cp[p + 1] !== 0x3a && cp[p + 1] !== 0x7c)) return false;
  if (cp.length - p === 2) return true;
  const c = cp[p + 2];
  return c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23;
}
function __uShortenPath(r) {
  const path = r.path;
  if (r.scheme === 'file' && path.length === 1 && __uIsWinLetter(path[0], true)) return;
  if (path.length > 0) path.length--;
}
function __uIsSingleDot(s) { return s === '.' || (s.length === 3 && __uToLower(s) === '%2e'); }
function __uIsDoubleDot(s) {
  if (s === '..') return true;
  const l = __uToLower(s);
  return l === '.%2e' || l === '%2e.' || l === '%2e%2e';
}
function __uHasCredentials(r) { return r.username !== '' || r.password !== ''; }
function __uCannotHaveCredentials(r) { return r.host === null || r.host === '' || r.scheme === 'file'; }

const __uS_SCHEME_START = 1, __uS_SCHEME = 2, __uS_NO_SCHEME = 3, __uS_SPECIAL_RELATIVE_OR_AUTHORITY = 4, __uS_PATH_OR_AUTHORITY = 5,
  __uS_RELATIVE = 6, __uS_RELATIVE_SLASH = 7, __uS_SPECIAL_AUTHORITY_SLASHES = 8, __uS_SPECIAL_AUTHORITY_IGNORE_SLASHES = 9,
  __uS_AUTHORITY = 10, __uS_HOST = 11, __uS_HOSTNAME = 12, __uS_PORT = 13, __uS_FILE = 14, __uS_FILE_SLASH = 15, __uS_FILE_HOST = 16,
  __uS_PATH_START = 17, __uS_PATH = 18, __uS_OPAQUE_PATH = 19, __uS_QUERY = 20, __uS_FRAGMENT = 21;

/**
 * The basic URL parser. Without 'url' it returns a new record or null (failure); with a record
 * and a state override it updates that record in place (the setters) and returns null on failure.
 */
function __uParse(input, base, url, override) {
  if (!url) {
    url = __uNewRecord();
    let s = 0, e = input.length;
    while (s < e && __uCharCodeAt(input, s) <= 0x20) s++;
    while (e > s && __uCharCodeAt(input, e - 1) <= 0x20) e--;
    if (s !== 0 || e !== input.length) input = __uStrSlice(input, s, e);
  }
  const cp = __uArr();
  for (let i = 0; i < input.length; i++) {
    const c = __uCodePointAt(input, i);
    if (c > 0xffff) i++;
    if (c !== 9 && c !== 10 && c !== 13) cp[cp.length] = c;
  }
  const len = cp.length;
  let state = override || __uS_SCHEME_START;
  let buffer = '';
  let atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;
  for (let p = 0; p <= len; p++) {
    const c = p < len ? cp[p] : -1;
    const special = __uIsSpecialScheme(url.scheme);
    switch (state) {
      case __uS_SCHEME_START:
        if (__uIsAlpha(c)) { buffer += __uFromCharCode(c | 0x20); state = __uS_SCHEME; }
        else if (!override) { state = __uS_NO_SCHEME; p--; }
        else return null;
        break;
      case __uS_SCHEME:
        if (__uIsAlpha(c) || __uIsDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) {
          buffer += __uFromCharCode(__uIsAlpha(c) ? c | 0x20 : c);
        } else if (c === 0x3a) {
          if (override) {
            if (__uIsSpecialScheme(url.scheme) !== __uIsSpecialScheme(buffer)) return url;
            if ((__uHasCredentials(url) || url.port !== null) && buffer === 'file') return url;
            if (url.scheme === 'file' && url.host === '') return url;
          }
          url.scheme = buffer;
          if (override) {
            if (url.port === __uDefaultPort(url.scheme)) url.port = null;
            return url;
          }
          buffer = '';
          if (url.scheme === 'file') state = __uS_FILE;
          else if (__uIsSpecialScheme(url.scheme) && base && base.scheme === url.scheme) state = __uS_SPECIAL_RELATIVE_OR_AUTHORITY;
          else if (__uIsSpecialScheme(url.scheme)) state = __uS_SPECIAL_AUTHORITY_SLASHES;
          else if (p + 1 < len && cp[p + 1] === 0x2f) { state = __uS_PATH_OR_AUTHORITY; p++; }
          else { url.path = ''; state = __uS_OPAQUE_PATH; }
        } else if (!override) { buffer = ''; state = __uS_NO_SCHEME; p = -1; }
        else return null;
        break;
      case __uS_NO_SCHEME:
        if (!base || (typeof base.path === 'string' && c !== 0x23)) return null;
        if (typeof base.path === 'string' && c === 0x23) {
          url.scheme = base.scheme; url.path = base.path; url.query = base.query; url.fragment = ''; state = __uS_FRAGMENT;
        } else if (base.scheme !== 'file') { state = __uS_RELATIVE; p--; }
        else { state = __uS_FILE; p--; }
        break;
      case __uS_SPECIAL_RELATIVE_OR_AUTHORITY:
        if (c === 0x2f && p + 1 < len && cp[p + 1] === 0x2f) { state = __uS_SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; }
        else { state = __uS_RELATIVE; p--; }
        break;
      case __uS_PATH_OR_AUTHORITY:
        if (c === 0x2f) state = __uS_AUTHORITY;
        else { state = __uS_PATH; p--; }
        break;
      case __uS_RELATIVE:
        url.scheme = base.scheme;
        if (c === 0x2f) state = __uS_RELATIVE_SLASH;
        else if (__uIsSpecialScheme(url.scheme) && c === 0x5c) state = __uS_RELATIVE_SLASH;
        else {
          url.username = base.username; url.password = base.password; url.host = base.host; url.port = base.port;
          url.path = __uClonePath(base.path); url.query = base.query;
          if (c === 0x3f) { url.query = ''; state = __uS_QUERY; }
          else if (c === 0x23) { url.fragment = ''; state = __uS_FRAGMENT; }
          else if (c !== -1) { url.query = null; __uShortenPath(url); state = __uS_PATH; p--; }
        }
        break;
      case __uS_RELATIVE_SLASH:
        if (special && (c === 0x2f || c === 0x5c)) state = __uS_SPECIAL_AUTHORITY_IGNORE_SLASHES;
        else if (c === 0x2f) state = __uS_AUTHORITY;
        else {
          url.username = base.username; url.password = base.password; url.host = base.host; url.port = base.port;
          state = __uS_PATH; p--;
        }
        break;
      case __uS_SPECIAL_AUTHORITY_SLASHES:
        if (c === 0x2f && p + 1 < len && cp[p + 1] === 0x2f) { state = __uS_SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; }
        else { state = __uS_SPECIAL_AUTHORITY_IGNORE_SLASHES; p--; }
        break;
      case __uS_SPECIAL_AUTHORITY_IGNORE_SLASHES:
        if (c !== 0x2f && c !== 0x5c) { state = __uS_AUTHORITY; p--; }
        break;
      case __uS_AUTHORITY:
        if (c === 0x40) {
          if (atSignSeen) buffer = '%40' + buffer;
          atSignSeen = true;
          for (let i = 0; i < buffer.length; i++) {
            const b = __uCodePointAt(buffer, i);
            if (b > 0xffff) i++;
            if (b === 0x3a && !passwordTokenSeen) { passwordTokenSeen = true; continue; }
            const enc = __uPctEncode(b, __uSET_USERINFO);
            if (passwordTokenSeen) url.password += enc;
            else url.username += enc;
          }
          buffer = '';
        } else if (c === -1 || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
          if (atSignSeen && buffer === '') return null;
          p -= __uCpCount(buffer) + 1;
          buffer = '';
          state = __uS_HOST;
        } else buffer += __uFromCodePoint(c);
        break;
      case __uS_HOST:
      case __uS_HOSTNAME:
        if (override && url.scheme === 'file') { p--; state = __uS_FILE_HOST; }
        else if (c === 0x3a && !insideBrackets) {
          if (buffer === '') return null;
          if (override === __uS_HOSTNAME) return null;
          const host = __uParseHost(buffer, !special);
          if (host === null) return null;
          url.host = host; buffer = ''; state = __uS_PORT;
        } else if (c === -1 || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
          p--;
          if (special && buffer === '') return null;
          if (override && buffer === '' && (__uHasCredentials(url) || url.port !== null)) return null;
          const host = __uParseHost(buffer, !special);
          if (host === null) return null;
          url.host = host; buffer = ''; state = __uS_PATH_START;
          if (override) return url;
        } else {
          if (c === 0x5b) insideBrackets = true;
          if (c === 0x5d) insideBrackets = false;
          buffer += __uFromCodePoint(c);
        }
        break;
      case __uS_PORT:
        if (__uIsDigit(c)) buffer += __uFromCharCode(c);
        else if (c === -1 || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c) || override) {
          if (buffer !== '') {
            let port = 0;
            for (let i = 0; i < buffer.length; i++) {
              port = port * 10 + (__uCharCodeAt(buffer, i) - 0x30);
              if (port > 65535) return null;
            }
            url.port = __uDefaultPort(url.scheme) === port ? null : port;
            buffer = '';
            if (override) return url;
          }
          if (override) return null;
          state = __uS_PATH_START; p--;
        } else return null;
        break;
      case __uS_FILE:
        url.scheme = 'file';
        url.host = '';
        if (c === 0x2f || c === 0x5c) state = __uS_FILE_SLASH;
        else if (base && base.scheme === 'file') {
          url.host = base.host; url.path = __uClonePath(base.path); url.query = base.query;
          if (c === 0x3f) { url.query = ''; state = __uS_QUERY; }
          else if (c === 0x23) { url.fragment = ''; state = __uS_FRAGMENT; }
          else if (c !== -1) {
            url.query = null;
            if (!__uStartsWithWinLetter(cp, p)) __uShortenPath(url);
            else url.path = __uArr();
            state = __uS_PATH; p--;
          }
        } else { state = __uS_PATH; p--; }
        break;
      case __uS_FILE_SLASH:
        if (c === 0x2f || c === 0x5c) state = __uS_FILE_HOST;
        else {
          if (base && base.scheme === 'file') {
            url.host = base.host;
            if (!__uStartsWithWinLetter(cp, p) && typeof base.path !== 'string' && base.path.length > 0 && __uIsWinLetter(base.path[0], true)) {
              __uPush(url.path, base.path[0]);
            }
          }
          state = __uS_PATH; p--;
        }
        break;
      case __uS_FILE_HOST:
        if (c === -1 || c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) {
          p--;
          if (!override && __uIsWinLetter(buffer, false)) state = __uS_PATH;
          else if (buffer === '') {
            url.host = '';
            if (override) return url;
            state = __uS_PATH_START;
          } else {
            let host = __uParseHost(buffer, !special);
            if (host === null) return null;
            if (host === 'localhost') host = '';
            url.host = host;
            if (override) return url;
            buffer = ''; state = __uS_PATH_START;
          }
        } else buffer += __uFromCodePoint(c);
        break;
      case __uS_PATH_START:
        if (special) { state = __uS_PATH; if (c !== 0x2f && c !== 0x5c) p--; }
        else if (!override && c === 0x3f) { url.query = ''; state = __uS_QUERY; }
        else if (!override && c === 0x23) { url.fragment = ''; state = __uS_FRAGMENT; }
        else if (c !== -1) { state = __uS_PATH; if (c !== 0x2f) p--; }
        else if (override && url.host === null) __uPush(url.path, '');
        break;
      case __uS_PATH:
        if (c === -1 || c === 0x2f || (special && c === 0x5c) || (!override && (c === 0x3f || c === 0x23))) {
          const slash = c === 0x2f || (special && c === 0x5c);
          if (__uIsDoubleDot(buffer)) {
            __uShortenPath(url);
            if (!slash) __uPush(url.path, '');
          } else if (__uIsSingleDot(buffer) && !slash) {
            __uPush(url.path, '');
          } else if (!__uIsSingleDot(buffer)) {
            if (url.scheme === 'file' && url.path.length === 0 && __uIsWinLetter(buffer, false)) {
              buffer = __uStrSlice(buffer, 0, 1) + ':';
            }
            __uPush(url.path, buffer);
          }
          buffer = '';
          if (c === 0x3f) { url.query = ''; state = __uS_QUERY; }
          if (c === 0x23) { url.fragment = ''; state = __uS_FRAGMENT; }
        } else buffer += __uPctEncode(c, __uSET_PATH);
        break;
      case __uS_OPAQUE_PATH:
        if (c === 0x3f) { url.query = ''; state = __uS_QUERY; }
        else if (c === 0x23) { url.fragment = ''; state = __uS_FRAGMENT; }
        else if (c === 0x20) {
          // A space right before '?' or '#' is encoded, so it cannot be lost later (current spec).
          const next = p + 1 < len ? cp[p + 1] : -1;
          url.path += next === 0x3f || next === 0x23 ? '%20' : ' ';
        } else if (c !== -1) url.path += __uPctEncode(c, __uSET_C0);
        break;
      case __uS_QUERY:
        if ((!override && c === 0x23) || c === -1) {
          if (c === 0x23) { url.fragment = ''; state = __uS_FRAGMENT; }
        } else url.query += __uPctEncode(c, special ? __uSET_SPECIAL_QUERY : __uSET_QUERY);
        break;
      case __uS_FRAGMENT:
        if (c !== -1) url.fragment += __uPctEncode(c, __uSET_FRAGMENT);
        break;
    }
  }
  return url;
}

function __uPathString(r) {
  if (typeof r.path === 'string') return r.path;
  let out = '';
  for (let i = 0; i < r.path.length; i++) out += '/' + r.path[i];
  return out;
}
function __uSerialize(r, excludeFragment) {
  let out = r.scheme + ':';
  if (r.host !== null) {
    out += '//';
    if (__uHasCredentials(r)) {
      out += r.username;
      if (r.password !== '') out += ':' + r.password;
      out += '@';
    }
    out += r.host;
    if (r.port !== null) out += ':' + r.port;
  }
  if (r.host === null && typeof r.path !== 'string' && r.path.length > 1 && r.path[0] === '') out += '/.';
  out += __uPathString(r);
  if (r.query !== null) out += '?' + r.query;
  if (!excludeFragment && r.fragment !== null) out += '#' + r.fragment;
  return out;
}
function __uOrigin(r) {
  switch (r.scheme) {
    case 'blob': {
      if (typeof r.path !== 'string') return 'null';
      const inner = __uParse(r.path, null);
      if (inner !== null && (inner.scheme === 'http' || inner.scheme === 'https')) return __uOrigin(inner);
      return 'null';
    }
    case 'ftp': case 'http': case 'https': case 'ws': case 'wss':
      return r.scheme + '://' + r.host + (r.port !== null ? ':' + r.port : '');
  }
  return 'null';
}

// ---- application/x-www-form-urlencoded ---------------------------------------------------
function __uFormParse(s) {
  const list = __uArr();
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i !== s.length && __uCharCodeAt(s, i) !== 0x26) continue;
    if (i > start) {
      let eq = -1;
      for (let j = start; j < i; j++) if (__uCharCodeAt(s, j) === 0x3d) { eq = j; break; }
      const name = eq < 0 ? __uStrSlice(s, start, i) : __uStrSlice(s, start, eq);
      const value = eq < 0 ? '' : __uStrSlice(s, eq + 1, i);
      __uPush(list, __uPair(__uPctDecode(name, true), __uPctDecode(value, true)));
    }
    start = i + 1;
  }
  return list;
}
function __uPair(n, v) { return { __proto__: null, n, v }; }
function __uFormSerialize(list) {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += '&';
    out += __uPctEncodeString(list[i].n, __uSET_FORM, true) + '=' + __uPctEncodeString(list[i].v, __uSET_FORM, true);
  }
  return out;
}
/** Stable merge sort of pairs by name, comparing UTF-16 code units (as the spec says). */
function __uSortPairs(list) {
  const n = list.length;
  let src = list, dst = __uArr();
  for (let w = 1; w < n; w *= 2) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = src[j].n < src[i].n ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    const t = src; src = dst; dst = t;
  }
  for (let i = 0; i < n; i++) list[i] = src[i];
}

// ---- URLSearchParams ---------------------------------------------------------------------
let __uParamsInit, __uParamsList, __uUrlParamsChanged;
// For console formatting (inspect.ts): brand checks, and a URL's fields as util.inspect shows them.
let __uIsURL, __uIsParams, __uIsParamsIterator, __uParamsIteratorRest;

class URLSearchParams {
  #list = __uArr();
  #url = null;
  static {
    __uParamsInit = (params, url, query) => { params.#url = url; params.#list = query === null ? __uArr() : __uFormParse(query); };
    __uParamsList = (params) => params.#list;
    __uIsParams = (v) => typeof v === 'object' && v !== null && #list in v;
  }
  constructor(init = undefined) {
    if (init === undefined) return;
    if ((typeof init === 'object' && init !== null) || typeof init === 'function') {
      const method = init[__uSymIterator];
      if (method !== undefined && method !== null) {
        if (typeof method !== 'function') throw __uErr('Query pairs must be iterable', 'ERR_ARG_NOT_ITERABLE');
        for (const pair of init) {
          if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null || typeof pair[__uSymIterator] !== 'function') {
            throw __uErr('Each query pair must be an iterable [name, value] tuple', 'ERR_INVALID_TUPLE');
          }
          const items = __uArr();
          for (const x of pair) __uPush(items, x);
          if (items.length !== 2) throw __uErr('Each query pair must be an iterable [name, value] tuple', 'ERR_INVALID_TUPLE');
          __uPush(this.#list, __uPair(__uUSV(items[0]), __uUSV(items[1])));
        }
      } else {
        const keys = __uOwnKeys(init);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          if (typeof k !== 'string') continue;
          const d = __uGetOwnPropDesc(init, k);
          if (d === undefined || !d.enumerable) continue;
          const name = __uUSV(k), value = __uUSV(init[k]);
          let found = false;
          for (let j = 0; j < this.#list.length; j++) if (this.#list[j].n === name) { this.#list[j].v = value; found = true; break; }
          if (!found) __uPush(this.#list, __uPair(name, value));
        }
      }
      return;
    }
    let s = __uUSV(init);
    if (__uCharCodeAt(s, 0) === 0x3f) s = __uStrSlice(s, 1);
    this.#list = __uFormParse(s);
  }
  static #check(p) { if (typeof p !== 'object' || p === null || !(#list in p)) throw __uInvalidThis('URLSearchParams'); }
  #update() { if (this.#url !== null) __uUrlParamsChanged(this.#url, __uFormSerialize(this.#list)); }
  get size() { URLSearchParams.#check(this); return this.#list.length; }
  append(name, value) {
    URLSearchParams.#check(this);
    if (arguments.length < 2) throw __uMissing(arguments.length === 0 ? 'name' : 'value');
    __uPush(this.#list, __uPair(__uUSV(name), __uUSV(value)));
    this.#update();
  }
  delete(name, value = undefined) {
    URLSearchParams.#check(this);
    if (arguments.length < 1) throw __uMissing('name');
    name = __uUSV(name);
    const hasValue = value !== undefined;
    if (hasValue) value = __uUSV(value);
    const list = this.#list, kept = __uArr();
    for (let i = 0; i < list.length; i++) {
      if (list[i].n === name && (!hasValue || list[i].v === value)) continue;
      __uPush(kept, list[i]);
    }
    list.length = 0;
    for (let i = 0; i < kept.length; i++) list[i] = kept[i];
    this.#update();
  }
  get(name) {
    URLSearchParams.#check(this);
    if (arguments.length < 1) throw __uMissing('name');
    name = __uUSV(name);
    const list = this.#list;
    for (let i = 0; i < list.length; i++) if (list[i].n === name) return list[i].v;
    return null;
  }
  getAll(name) {
    URLSearchParams.#check(this);
    if (arguments.length < 1) throw __uMissing('name');
    name = __uUSV(name);
    const list = this.#list, out = [];
    let k = 0;
    for (let i = 0; i < list.length; i++) if (list[i].n === name) __uDefineProperty(out, k++, { __proto__: null, value: list[i].v, writable: true, enumerable: true, configurable: true });
    return out;
  }
  has(name, value = undefined) {
    URLSearchParams.#check(this);
    if (arguments.length < 1) throw __uMissing('name');
    name = __uUSV(name);
    const hasValue = value !== undefined;
    if (hasValue) value = __uUSV(value);
    const list = this.#list;
    for (let i = 0; i < list.length; i++) if (list[i].n === name && (!hasValue || list[i].v === value)) return true;
    return false;
  }
  set(name, value) {
    URLSearchParams.#check(this);
    if (arguments.length < 2) throw __uMissing(arguments.length === 0 ? 'name' : 'value');
    name = __uUSV(name); value = __uUSV(value);
    const list = this.#list, kept = __uArr();
    let found = false;
    for (let i = 0; i < list.length; i++) {
      if (list[i].n !== name) __uPush(kept, list[i]);
      else if (!found) { found = true; list[i].v = value; __uPush(kept, list[i]); }
    }
    if (!found) __uPush(kept, __uPair(name, value));
    list.length = 0;
    for (let i = 0; i < kept.length; i++) list[i] = kept[i];
    this.#update();
  }
  sort() {
    URLSearchParams.#check(this);
    __uSortPairs(this.#list);
    this.#update();
  }
  forEach(callback, thisArg = undefined) {
    URLSearchParams.#check(this);
    if (typeof callback !== 'function') throw __uErr('The "callback" argument must be of type function', 'ERR_INVALID_ARG_TYPE');
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      __uApply(callback, thisArg, [p.v, p.n, this]);
    }
  }
  keys() { URLSearchParams.#check(this); return new __uParamsIterator(this, 0); }
  values() { URLSearchParams.#check(this); return new __uParamsIterator(this, 1); }
  entries() { URLSearchParams.#check(this); return new __uParamsIterator(this, 2); }
  toString() { URLSearchParams.#check(this); return __uFormSerialize(this.#list); }
}
__uDefineProperty(URLSearchParams.prototype, __uSymIterator, {
  __proto__: null, value: URLSearchParams.prototype.entries, writable: true, configurable: true, enumerable: false,
});
__uDefineProperty(URLSearchParams.prototype, __uSymToStringTag, { __proto__: null, value: 'URLSearchParams', configurable: true });

class __uParamsIterator {
  #params; #kind; #index = 0;
  static {
    __uIsParamsIterator = (v) => typeof v === 'object' && v !== null && #params in v;
    // What is left to iterate, as plain values (console formatting, inspect.ts).
    __uParamsIteratorRest = (it) => {
      const list = __uParamsList(it.#params);
      const out = [];
      for (let i = it.#index; i < list.length; i++) {
        const p = list[i];
        out[out.length] = it.#kind === 0 ? p.n : it.#kind === 1 ? p.v : [p.n, p.v];
      }
      return out;
    };
  }
  constructor(params, kind) { this.#params = params; this.#kind = kind; }
  next() {
    if (typeof this !== 'object' || this === null || !(#params in this)) throw __uInvalidThis('URLSearchParamsIterator');
    const list = __uParamsList(this.#params);
    if (this.#index >= list.length) return { value: undefined, done: true };
    const p = list[this.#index++];
    let value;
    if (this.#kind === 0) value = p.n;
    else if (this.#kind === 1) value = p.v;
    else { value = [p.n, p.v]; }
    return { value, done: false };
  }
}
__uSetProto(__uParamsIterator.prototype, __uIteratorProto);
// As in Node, the iterator's prototype has \`next\` only: no \`constructor\` naming vmd's class.
delete __uParamsIterator.prototype.constructor;
__uDefineProperty(__uParamsIterator.prototype, __uSymToStringTag, { __proto__: null, value: 'URLSearchParams Iterator', configurable: true });

// ---- URL ------------------------------------------------------------------------------------
class URL {
  #r;
  #params = null;
  static {
    __uUrlParamsChanged = (u, serialized) => {
      u.#r.query = serialized === '' ? null : serialized;
    };
    __uIsURL = (v) => typeof v === 'object' && v !== null && #r in v;
  }
  constructor(url, base = undefined) {
    if (arguments.length === 0) throw __uMissing('url');
    const input = __uUSV(url);
    let b = null;
    if (base !== undefined) {
      const baseStr = __uUSV(base);
      b = __uParse(baseStr, null);
      if (b === null) throw __uInvalidUrl(input, baseStr);
    }
    const r = __uParse(input, b);
    if (r === null) throw __uInvalidUrl(input, base === undefined ? undefined : __uUSV(base));
    this.#r = r;
  }
  static canParse(url, base = undefined) {
    if (arguments.length === 0) throw __uMissing('url');
    const input = __uUSV(url);
    let b = null;
    if (base !== undefined) { b = __uParse(__uUSV(base), null); if (b === null) return false; }
    return __uParse(input, b) !== null;
  }
  static parse(url, base = undefined) {
    if (arguments.length === 0) throw __uMissing('url');
    try { return new URL(url, base); } catch (e) {
      if (e instanceof __uTypeError && e.code === 'ERR_INVALID_URL') return null;
      throw e;
    }
  }
  static #rec(u) {
    if (typeof u !== 'object' || u === null || !(#r in u)) throw __uNotAURL();
    return u.#r;
  }
  #queryChanged() { if (this.#params !== null) __uParamsInit(this.#params, this, this.#r.query); }

  get href() { return __uSerialize(URL.#rec(this), false); }
  set href(value) {
    URL.#rec(this);
    const input = __uUSV(value);
    const r = __uParse(input, null);
    if (r === null) throw __uInvalidUrl(input);
    this.#r = r;
    this.#queryChanged();
  }
  get origin() { return __uOrigin(URL.#rec(this)); }
  get protocol() { return URL.#rec(this).scheme + ':'; }
  set protocol(value) { const r = URL.#rec(this); __uParse(__uUSV(value) + ':', null, r, __uS_SCHEME_START); }
  get username() { return URL.#rec(this).username; }
  set username(value) {
    const r = URL.#rec(this);
    if (__uCannotHaveCredentials(r)) return;
    r.username = __uPctEncodeString(__uUSV(value), __uSET_USERINFO, false);
  }
  get password() { return URL.#rec(this).password; }
  set password(value) {
    const r = URL.#rec(this);
    if (__uCannotHaveCredentials(r)) return;
    r.password = __uPctEncodeString(__uUSV(value), __uSET_USERINFO, false);
  }
  get host() {
    const r = URL.#rec(this);
    if (r.host === null) return '';
    return r.port === null ? r.host : r.host + ':' + r.port;
  }
  set host(value) {
    const r = URL.#rec(this);
    if (typeof r.path === 'string') return;
    __uParse(__uUSV(value), null, r, __uS_HOST);
  }
  get hostname() { const r = URL.#rec(this); return r.host === null ? '' : r.host; }
  set hostname(value) {
    const r = URL.#rec(this);
    if (typeof r.path === 'string') return;
    __uParse(__uUSV(value), null, r, __uS_HOSTNAME);
  }
  get port() { const r = URL.#rec(this); return r.port === null ? '' : __uString(r.port); }
  set port(value) {
    const r = URL.#rec(this);
    if (__uCannotHaveCredentials(r)) return;
    const s = __uUSV(value);
    if (s === '') r.port = null;
    else __uParse(s, null, r, __uS_PORT);
  }
  get pathname() { return __uPathString(URL.#rec(this)); }
  set pathname(value) {
    const r = URL.#rec(this);
    if (typeof r.path === 'string') return;
    r.path = __uArr();
    __uParse(__uUSV(value), null, r, __uS_PATH_START);
  }
  get search() { const r = URL.#rec(this); return r.query === null || r.query === '' ? '' : '?' + r.query; }
  set search(value) {
    const r = URL.#rec(this);
    let s = __uUSV(value);
    if (s === '') {
      r.query = null;
      this.#queryChanged();
      return;
    }
    if (__uCharCodeAt(s, 0) === 0x3f) s = __uStrSlice(s, 1);
    r.query = '';
    __uParse(s, null, r, __uS_QUERY);
    this.#queryChanged();
  }
  get searchParams() {
    URL.#rec(this);
    if (this.#params === null) {
      this.#params = new URLSearchParams();
      __uParamsInit(this.#params, this, this.#r.query);
    }
    return this.#params;
  }
  get hash() { const r = URL.#rec(this); return r.fragment === null || r.fragment === '' ? '' : '#' + r.fragment; }
  set hash(value) {
    const r = URL.#rec(this);
    let s = __uUSV(value);
    if (s === '') { r.fragment = null; return; }
    if (__uCharCodeAt(s, 0) === 0x23) s = __uStrSlice(s, 1);
    r.fragment = '';
    __uParse(s, null, r, __uS_FRAGMENT);
  }
  toString() { return __uSerialize(URL.#rec(this), false); }
  toJSON() { return __uSerialize(URL.#rec(this), false); }
}
__uDefineProperty(URL.prototype, __uSymToStringTag, { __proto__: null, value: 'URL', configurable: true });

/** The fields util.inspect shows for a URL, in its order, read with URL's own getters. */
const __uInspectNames = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname',
  'port', 'pathname', 'search', 'searchParams', 'hash'];
const __uInspectGetters = __uArr();
for (let i = 0; i < __uInspectNames.length; i++) {
  __uInspectGetters[i] = __uGetOwnPropDesc(URL.prototype, __uInspectNames[i]).get;
}
function __uInspectFields(u) {
  const out = __uArr();
  for (let i = 0; i < __uInspectNames.length; i++) {
    out[i] = [__uInspectNames[i], __uApply(__uInspectGetters[i], u, [])];
  }
  return out;
}
`;
