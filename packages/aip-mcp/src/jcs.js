// RFC 8785 JSON Canonicalization Scheme: members sorted by their UTF-16 code units, numbers in
// ECMAScript's shortest form (which is what JSON.stringify prints), strings as JSON.stringify
// escapes them, no whitespace. What every aip signature covers.
export function canonicalize(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("JCS: numbers must be finite");
    return JSON.stringify(value);
  }
  if (typeof value === "string") {
    if (/[\uD800-\uDFFF]/.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""))) {
      throw new Error("JCS: lone surrogate in a string");
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonicalize).join(",") + "]";
  if (typeof value === "object") {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return "{" + keys.map((k) => canonicalize(k) + ":" + canonicalize(value[k])).join(",") + "}";
  }
  throw new Error(`JCS: cannot canonicalize a ${typeof value}`);
}
