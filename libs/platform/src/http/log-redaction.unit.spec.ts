import fc from 'fast-check';
import { JsonLogger } from './json.logger';
import { REDACTED, isSensitiveKey, redactText } from './log-redaction';

const idNumber = fc.oneof(
  fc.stringMatching(/^\d{17}[\dXx]$/),
  // Issued before 1999: 15 digits, no check character.
  fc.stringMatching(/^\d{15}$/),
);
const mobile = fc.stringMatching(/^1[3-9]\d{9}$/);
/** How people write a mobile number: +86, 0086 or 86 in front, 3-4-4 with spaces or dashes. */
const writtenMobile = fc
  .tuple(mobile, fc.constantFrom('', '+86', '+86 ', '0086', '86-'), fc.constantFrom('', ' ', '-'))
  .map(([digits, prefix, sep]) => ({
    digits,
    written: `${prefix}${digits.slice(0, 3)}${sep}${digits.slice(3, 7)}${sep}${digits.slice(7)}`,
  }));
const jwt = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{8,80}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/),
  )
  .map(([header, payload, signature]) => `eyJ${header}.${payload}.${signature}`);

/** Any text, then something that is not a digit, so that the number stays a number of its own. */
const before = fc
  .tuple(fc.string(), fc.constantFrom(' ', ':', '=', '"', '号', '\n', 'a', 'X', '('))
  .map(([text, edge]) => text + edge);
const after = fc
  .tuple(fc.constantFrom(' ', ',', '"', '。', '\n', 'b', ')'), fc.string())
  .map(([edge, text]) => edge + text);

describe('redactText', () => {
  it('leaves no identity number in a message (property)', () => {
    fc.assert(
      fc.property(before, idNumber, after, (left, id, right) => {
        expect(redactText(`${left}${id}${right}`)).not.toContain(id);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no mobile number, however written (property)', () => {
    fc.assert(
      fc.property(before, writtenMobile, after, (left, { digits, written }, right) => {
        const redacted = redactText(`${left}${written}${right}`);
        expect(redacted).not.toContain(written);
        expect(redacted.replace(/[\s-]/g, '')).not.toContain(digits);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no JWT, bare or as a bearer token (property)', () => {
    fc.assert(
      fc.property(before, jwt, after, (left, token, right) => {
        expect(redactText(`${left}${token}${right}`)).not.toContain(token);
        expect(redactText(`Authorization: Bearer ${token}`)).toBe('Authorization: Bearer [token]');
      }),
    );
  });

  it.each([
    ['身份证号110101199003071234已登记', '身份证号[id-number]已登记'],
    ['id=11010119900307123X,', 'id=[id-number],'],
    ['legacy 110101900307123', 'legacy [id-number]'],
    ['call +86 138 1234 5678 or 13912345678', 'call [phone] or [phone]'],
    ['Bearer abc.def-ghi', 'Bearer [token]'],
  ])('masks %p', (text, masked) => {
    expect(redactText(text)).toBe(masked);
  });

  it.each([
    'case 2025-370102-000123 at version 3',
    'stream 0190f1e2-3c4d-7e5f-8a9b-0c1d2e3f4a5b appended',
    'took 1740790800000 ms since epoch 1740790800',
    'offset 12345678901234567890 of partition 2',
  ])('keeps what is not personal data: %p', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('isSensitiveKey', () => {
  it.each(['name', 'Name', 'fullName', 'full_name', 'ID_NUMBER', 'accessToken', 'Authorization'])(
    'is true for %p',
    (key) => expect(isSensitiveKey(key)).toBe(true),
  );
  it.each(['caseId', 'names', 'username', 'status', 'phoneVerified'])('is false for %p', (key) =>
    expect(isSensitiveKey(key)).toBe(false),
  );
});

describe('JsonLogger redaction', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: new JsonLogger('verbose', (line) => lines.push(line)) };
  };
  const sensitiveKey = fc.constantFrom(
    'name',
    'fullName',
    'idNumber',
    'phone',
    'mobile',
    'address',
    'password',
    'token',
    'accessToken',
    'authorization',
    'secret',
  );
  const anyCase = (key: string) =>
    fc
      .array(fc.boolean(), { minLength: key.length, maxLength: key.length })
      .map((upper) => [...key].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
  const path = fc.array(fc.constantFrom('case', 'parties', 'reporter', 'meta', 'x'), {
    maxLength: 5,
  });

  it('drops the value of a sensitive key at any depth, in any case (property)', () => {
    fc.assert(
      fc.property(
        path,
        sensitiveKey.chain(anyCase),
        fc.string({ minLength: 12 }),
        (keys, key, secret) => {
          const data = keys.reduceRight<unknown>((inner, k) => ({ [k]: inner, caseId: 7 }), {
            [key]: { nested: secret },
          });
          const { lines, logger } = capture();
          logger.log(data, 'Ctx');
          expect(lines[0]).not.toContain(JSON.stringify(secret).slice(1, -1));
          let entry = (JSON.parse(lines[0]!) as { data: Record<string, unknown> }).data;
          for (const k of keys) entry = entry[k] as Record<string, unknown>;
          expect(entry[key]).toBe(REDACTED);
        },
      ),
    );
  });

  it('masks numbers and tokens in the message, the stack and string data', () => {
    const { lines, logger } = capture();
    logger.error(
      'lookup of 110101199003071234 failed',
      'Error: at 13812345678\n    at x.ts:1',
      'Ctx',
    );
    logger.warn({ note: 'callback 13912345678', tokens: ['eyJhbGciOi.eyJzdWIi.sig'] });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({
        msg: 'lookup of [id-number] failed',
        stack: 'Error: at [phone]\n    at x.ts:1',
      }),
      expect.objectContaining({ data: { note: 'callback [phone]', tokens: ['[token]'] } }),
    ]);
  });
});
