/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) of a JSON value: what audit hashes.
 *
 * Written here rather than taken from npm because it is twenty lines on top of
 * ECMAScript's own `JSON.stringify`, which RFC 8785 adopts for strings (§3.2.2.2) and
 * numbers (§3.2.2.3, `Number.prototype.toString`); what JCS adds is object members
 * sorted by the UTF-16 code units of their names (§3.2.3), which is JavaScript's default
 * string order, and no whitespace. The same rules are in tools/audit/verify-export.mjs so
 * an auditor checks an export with nothing but Node.js.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError('JCS: numbers must be finite (RFC 8785 §3.2.2.3)');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Readonly<Record<string, unknown>>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`JCS: ${typeof value} is not a JSON value`);
}
