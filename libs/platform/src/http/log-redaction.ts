/**
 * Logs are shipped, kept and read far more widely than the databases that hold personal
 * data encrypted (API.md: personal data never travels in clear), so every log line goes
 * through these before it is written. Redaction is by key for structured data and by
 * pattern for free text; both err on the side of hiding too much.
 */

export const REDACTED = '[redacted]';

// Compared without case, `_` or `-`: `fullName`, `full_name` and `FULLNAME` are one key.
const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'name',
  'fullname',
  'idnumber',
  'phone',
  'mobile',
  'address',
  'password',
  'token',
  'accesstoken',
  'authorization',
  'secret',
]);

export const isSensitiveKey = (key: string): boolean =>
  SENSITIVE_KEYS.has(key.replace(/[-_]/g, '').toLowerCase());

/**
 * Digits on either side would make a longer number (an amount, an offset): not one of ours.
 * Letters do not protect: `phone:13812345678` and `id=110101…` must be caught.
 */
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  // JWTs (three base64url parts, the first a JSON header: `eyJ`), then any bearer token.
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[token]'],
  [/\b(Bearer)\s+[A-Za-z0-9._~+/-]+=*/gi, '$1 [token]'],
  // PRC resident identity numbers: 18 characters (17 digits and a check digit or X), or
  // the 15-digit numbers issued before 1999.
  [/(?<!\d)(?:\d{17}[\dXx]|\d{15})(?!\d)/g, '[id-number]'],
  // Mainland mobile numbers, with or without +86/0086 and 3-4-4 separators.
  [/(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g, '[phone]'],
];

/** Masks identity numbers, mobile numbers and tokens in free text. */
export function redactText(text: string): string {
  let redacted = text;
  for (const [pattern, replacement] of PATTERNS) redacted = redacted.replace(pattern, replacement);
  return redacted;
}

/**
 * A `JSON.stringify` replacer: sensitive keys lose their value whatever it holds, at any
 * depth, and every other string is masked. Being a replacer, it sees what `toJSON` made
 * of a value (a `Date`, a class) and leaves cycles to `JSON.stringify` to report.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (value !== undefined && key !== '' && isSensitiveKey(key)) return REDACTED;
  return typeof value === 'string' ? redactText(value) : value;
}
