/**
 * ANSI colours for a Node-style preview (the REPL's `color` option), with the palette of Node's
 * `util.inspect`: numbers, bigints and booleans yellow, strings and symbols green, `null` bold,
 * `undefined` grey, functions, classes and `[Getter]`-like tags cyan, dates magenta, regular
 * expressions red. The preview is made inside the isolate without colours; this only tokenizes
 * its text, so it never changes what the text says.
 */
const STYLE = {
  yellow: ['\u001b[33m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  grey: ['\u001b[90m', '\u001b[39m'],
  bold: ['\u001b[1m', '\u001b[22m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  magenta: ['\u001b[35m', '\u001b[39m'],
  red: ['\u001b[31m', '\u001b[39m'],
} as const;

type Colour = keyof typeof STYLE;

const TOKENS: Array<[RegExp, Colour | null]> = [
  [/^'(?:[^'\\\n]|\\.)*'|^"(?:[^"\\\n]|\\.)*"|^`(?:[^`\\]|\\.)*`/, 'green'],
  [/^\[(?:Function|class|AsyncFunction|GeneratorFunction|AsyncGeneratorFunction)[^\]\n]*\]/, 'cyan'],
  [/^\[(?:Getter\/Setter|Getter|Setter|Circular \*\d+|Object: null prototype)\]/, 'cyan'],
  [/^<ref \*\d+>/, 'cyan'],
  [/^Symbol\((?:[^()\n]|\([^()\n]*\))*\)/, 'green'],
  [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/, 'magenta'],
  [/^\/(?![*/])(?:[^/\\\n]|\\.)+\/[dgimsuvy]*(?=[,\s\]}]|$)/, 'red'],
  [/^-?(?:\d[\d_]*n)\b/, 'yellow'],
  [/^-?(?:Infinity|NaN|\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?)\b/, 'yellow'],
  [/^(?:true|false)\b/, 'yellow'],
  [/^null\b/, 'bold'],
  [/^undefined\b/, 'grey'],
  [/^[A-Za-z_$][\w$]*/, null],
  [/^\s+/, null],
  [/^./s, null],
];

/** The preview with ANSI colours. */
export function colorizePreview(preview: string): string {
  let out = '';
  let rest = preview;
  // Property keys like `key:` stay plain; a quoted key is still a string.
  while (rest.length > 0) {
    for (const [re, colour] of TOKENS) {
      const m = re.exec(rest);
      if (m === null) continue;
      const text = m[0];
      const isKey = colour !== 'green' && rest.slice(text.length).startsWith(':') && /^[\w$]+$/.test(text);
      out += colour === null || isKey ? text : STYLE[colour][0] + text + STYLE[colour][1];
      rest = rest.slice(text.length);
      break;
    }
  }
  return out;
}
