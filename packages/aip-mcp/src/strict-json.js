// A strict JSON parser for text a verifier is about to trust: duplicate member names, lone
// surrogates, nesting deeper than 64 and texts over the size limit are refused — JSON.parse
// would keep the last of two "arguments" while another parser signs the first.
const MAX_DEPTH = 64;

export class StrictJsonError extends Error {}

export function parseStrict(text, { maxBytes = 4 * 1024 * 1024 } = {}) {
  if (typeof text !== "string") {
    if (text.length > maxBytes) throw new StrictJsonError("body larger than the limit");
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      throw new StrictJsonError("invalid UTF-8");
    }
  }
  if (Buffer.byteLength(text, "utf8") > maxBytes) throw new StrictJsonError("body larger than the limit");
  let i = 0;
  const fail = (why) => { throw new StrictJsonError(`${why} at offset ${i}`); };
  const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const value = (depth) => {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out = {};
      const seen = new Set();
      ws();
      if (text[i] === "}") { i++; return out; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a member name");
        const key = string();
        if (seen.has(key)) fail(`duplicate member "${key}"`);
        seen.add(key);
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        Object.defineProperty(out, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return out; }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") { i++; return out; }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return out; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail("unexpected character");
    i += m[0].length;
    if (m[0] === "true") return true;
    if (m[0] === "false") return false;
    if (m[0] === "null") return null;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) fail("number out of range");
    return n;
  };
  const string = () => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const ch = text.charCodeAt(i);
      if (ch === 0x22) break;
      if (ch < 0x20) fail("control character in a string");
      i += ch === 0x5c ? 2 : 1;
    }
    i++;
    const s = JSON.parse(text.slice(start, i));
    if (/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""))) fail("lone surrogate");
    return s;
  };
  const out = value(0);
  ws();
  if (i !== text.length) fail("trailing characters");
  return out;
}
