/**
 * A lossless JSON reader plus Python's `str()`/`repr()` and `json.dumps()` renderings of what it read.
 *
 * WHY: Gorilla builds its retrieval prompts from Python objects: the BM25 corpus is `str(doc).split(" ")`
 * of each `json.loads`-ed API record, the BM25 prompt embeds `repr(Document(page_content=str(doc)))`, and
 * the oracle prompt embeds `json.dumps(api_data)`. `JSON.parse` cannot reproduce those texts: it reorders
 * integer-like keys (the HuggingFace API file has them), forgets whether `72.0` was a float (Python prints
 * `72.0`, JavaScript `72`), and loses duplicate-key positions. This reader keeps key order, duplicate-key
 * semantics (Python's dict: first position, last value) and the int/float distinction.
 *
 * Port notes (CPython 3.11): `float.__repr__` (shortest round-trip digits, exponent form when the decimal
 * exponent is < -4 or >= 16), `unicode_repr` (quote choice, `\xhh`/`\uhhhh`/`\Uhhhhhhhh` for characters
 * that `str.isprintable()` rejects), and `json.encoder.py_encode_basestring_ascii` (ensure_ascii=True,
 * separators `', '` and `': '`).
 */
import { UserError } from '../../core/errors.js';

export type PyValue =
  | { t: 'dict'; entries: [string, PyValue][] }
  | { t: 'list'; items: PyValue[] }
  | { t: 'str'; v: string }
  | { t: 'int'; v: string } // canonical decimal digits (Python ints are unbounded)
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'none' };

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  fail(msg: string): never {
    throw new UserError(`${msg} at character ${this.pos}`);
  }
  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }
  value(): PyValue {
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return this.dict();
    if (c === '[') return this.list();
    if (c === '"') return { t: 'str', v: this.string() };
    if (this.s.startsWith('true', this.pos)) return (this.pos += 4), { t: 'bool', v: true };
    if (this.s.startsWith('false', this.pos)) return (this.pos += 5), { t: 'bool', v: false };
    if (this.s.startsWith('null', this.pos)) return (this.pos += 4), { t: 'none' };
    // Python's json accepts these non-standard constants, so a faithful reader does too.
    if (this.s.startsWith('NaN', this.pos)) return (this.pos += 3), { t: 'float', v: NaN };
    if (this.s.startsWith('Infinity', this.pos)) return (this.pos += 8), { t: 'float', v: Infinity };
    if (this.s.startsWith('-Infinity', this.pos)) return (this.pos += 9), { t: 'float', v: -Infinity };
    return this.number();
  }
  number(): PyValue {
    const m = /^(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) this.fail('expected a JSON value');
    this.pos += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const digits = m[1] === '-0' ? '0' : m[1];
      return { t: 'int', v: digits };
    }
    return { t: 'float', v: Number(m[0]) };
  }
  string(): string {
    const s = this.s;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        out += s.slice(start, this.pos);
        const e = s[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = s.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            this.fail('bad escape');
        }
        start = this.pos;
        continue;
      }
      if (c < 0x20) this.fail('control character in string');
      this.pos++;
    }
  }
  dict(): PyValue {
    this.pos++;
    const entries: [string, PyValue][] = [];
    const index = new Map<string, number>();
    this.ws();
    if (this.s[this.pos] === '}') return this.pos++, { t: 'dict', entries };
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected a key');
      const k = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      const v = this.value();
      const at = index.get(k);
      if (at === undefined) {
        index.set(k, entries.length);
        entries.push([k, v]);
      } else entries[at] = [k, v]; // Python dict: keeps the first position, takes the last value
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return { t: 'dict', entries };
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }
  list(): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') return this.pos++, { t: 'list', items };
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return { t: 'list', items };
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }
}

/** Parses one JSON text the way Python's `json.loads` does, keeping what Python would keep. */
export function parsePyJson(text: string): PyValue {
  const r = new Reader(text);
  const v = r.value();
  r.ws();
  if (r.pos !== text.length) r.fail('extra data after the JSON value');
  return v;
}

/** Looks a key up in a dict value (undefined when absent or not a dict). */
export function pyGet(v: PyValue, key: string): PyValue | undefined {
  if (v.t !== 'dict') return undefined;
  for (const [k, x] of v.entries) if (k === key) return x;
  return undefined;
}

/** CPython `float.__repr__`: shortest round-trip digits; exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest digits that round-trip, like Python's repr.
  const [mant, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : String(e)}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

// Characters CPython's str.isprintable() rejects: categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs, except the
// ASCII space. (Node's Unicode tables may be a version newer than CPython 3.11's Unicode 14.0; that only
// matters for code points assigned since, which the APIBench data does not contain.)
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** CPython `repr(str)`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += '\\x' + hex(cp, 2);
      else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
      else out += '\\U' + hex(cp, 8);
    } else out += ch;
  }
  return out + quote;
}

/** CPython `repr(obj)` (= `str(obj)` for dicts and lists) of a value `json.loads` produced. */
export function pyRepr(v: PyValue): string {
  switch (v.t) {
    case 'dict': return '{' + v.entries.map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
    case 'list': return '[' + v.items.map(pyRepr).join(', ') + ']';
    case 'str': return pyStrRepr(v.v);
    case 'int': return v.v;
    case 'float': return pyFloatRepr(v.v);
    case 'bool': return v.v ? 'True' : 'False';
    case 'none': return 'None';
  }
}

/** CPython `str(obj)`: a str is itself, everything else is its repr. */
export function pyStr(v: PyValue): string {
  return v.t === 'str' ? v.v : pyRepr(v);
}

/** `json.encoder.py_encode_basestring_ascii`. */
function jsonStrAscii(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + hex(c, 4); // UTF-16 units: astral chars become surrogate pairs, as in Python
    else out += ch;
  }
  return out + '"';
}

/** CPython `json.dumps(obj)` with default arguments. */
export function pyJsonDumps(v: PyValue): string {
  switch (v.t) {
    case 'dict': return '{' + v.entries.map(([k, x]) => `${jsonStrAscii(k)}: ${pyJsonDumps(x)}`).join(', ') + '}';
    case 'list': return '[' + v.items.map(pyJsonDumps).join(', ') + ']';
    case 'str': return jsonStrAscii(v.v);
    case 'int': return v.v;
    case 'float':
      if (Number.isNaN(v.v)) return 'NaN';
      if (v.v === Infinity) return 'Infinity';
      if (v.v === -Infinity) return '-Infinity';
      return pyFloatRepr(v.v);
    case 'bool': return v.v ? 'true' : 'false';
    case 'none': return 'null';
  }
}
