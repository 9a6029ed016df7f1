/** What a parser returns for a value it refuses; the loader attaches the variable's name. */
export class Invalid {
  constructor(readonly message: string) {}
}

export type Parser<T> = (raw: string) => T | Invalid;

// Values are quoted back to the operator, except URLs: they may carry a password.
const got = (raw: string): string => ` (got ${JSON.stringify(raw)})`;

export const oneOf =
  <T extends string>(allowed: readonly T[]): Parser<T> =>
  (raw) =>
    (allowed as readonly string[]).includes(raw)
      ? (raw as T)
      : new Invalid(`must be one of ${allowed.join(', ')}${got(raw)}`);

export const port: Parser<number> = (raw) => {
  const value = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  return value >= 0 && value <= 65535
    ? value
    : new Invalid(`must be an integer from 0 to 65535${got(raw)}`);
};

export const text: Parser<string> = (raw) => raw;

export const identifier: Parser<string> = (raw) =>
  /^[A-Za-z0-9._-]+$/.test(raw) ? raw : new Invalid(`may only hold A-Z a-z 0-9 . _ -${got(raw)}`);

const url =
  (protocols: readonly string[], what: string): Parser<string> =>
  (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return new Invalid(`must be a ${what} URL (${protocols.join(' or ')}//host...)`);
    }
    if (!protocols.includes(parsed.protocol)) {
      return new Invalid(`must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
    }
    return parsed.hostname === '' ? new Invalid('must name a host') : raw;
  };

export const postgresUrl = url(['postgres:', 'postgresql:'], 'PostgreSQL');
export const redisUrl = url(['redis:', 'rediss:'], 'Redis');

const list = (raw: string): string[] => raw.split(',').map((item) => item.trim());

export const brokers: Parser<readonly string[]> = (raw) => {
  const items = list(raw);
  const bad = items.filter((item) => !/^[^\s:/,]+:\d{1,5}$/.test(item));
  return bad.length === 0
    ? items
    : new Invalid(`must be a comma list of host:port${got(bad.join(','))}`);
};

export const subsetOf =
  <T extends string>(allowed: readonly T[]): Parser<readonly T[]> =>
  (raw) => {
    const items = list(raw);
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (unknown.length > 0) {
      return new Invalid(`must be a comma list of ${allowed.join(', ')}${got(unknown.join(','))}`);
    }
    // Canonical order, duplicates dropped: boot order must not depend on how it was typed.
    return allowed.filter((name) => items.includes(name));
  };

export const byteSize: Parser<string> = (raw) =>
  /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i.test(raw) && parseFloat(raw) > 0
    ? raw
    : new Invalid(`must be a positive size such as 512kb or 1mb${got(raw)}`);

const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

// Date rolls 2025-02-30 over into March; this refuses it instead.
const isCalendarDate = (year: number, month: number, day: number): boolean => {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

export const instant: Parser<Date> = (raw) => {
  const match = RFC_3339.exec(raw);
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))
    ? new Date(raw)
    : new Invalid(`must be an RFC 3339 instant such as 2025-03-01T09:00:00+08:00${got(raw)}`);
};

export const positiveInt =
  (max: number): Parser<number> =>
  (raw) => {
    const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    return value >= 1 && value <= max
      ? value
      : new Invalid(`must be an integer from 1 to ${max}${got(raw)}`);
  };

export const bool: Parser<boolean> = (raw) =>
  /^(true|1|yes)$/i.test(raw)
    ? true
    : /^(false|0|no)$/i.test(raw)
      ? false
      : new Invalid(`must be true or false${got(raw)}`);

export const httpUrl: Parser<string> = url(['https:', 'http:'], 'HTTP(S)');

/** A comma list of origins (`https://console.example.gov.cn`) or `*`. */
export const origins: Parser<readonly string[]> = (raw) => {
  const items = list(raw).filter((item) => item !== '');
  if (items.length === 1 && items[0] === '*') return items;
  const bad = items.filter((item) => {
    try {
      const parsed = new URL(item);
      return parsed.origin !== item || !['http:', 'https:'].includes(parsed.protocol);
    } catch {
      return true;
    }
  });
  return bad.length === 0
    ? items
    : new Invalid(
        `must be * or a comma list of origins like https://host:port${got(bad.join(','))}`,
      );
};

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** A rate such as `600/1m` or `10/15m`: at most that many requests per window. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}
export const rate: Parser<Rate> = (raw) => {
  const match = /^(\d{1,7})\/(\d{1,4})([smh])$/.exec(raw);
  const limit = Number(match?.[1]);
  const windowMs = Number(match?.[2]) * (UNIT_MS[match?.[3] ?? ''] ?? NaN);
  return match && limit >= 1 && windowMs >= 1_000
    ? { limit, windowMs }
    : new Invalid(`must be <count>/<window> such as 600/1m or 10/15m${got(raw)}`);
};

/** A base64 AES-256 key (32 bytes). Never echoed back: it is a secret. */
export const key256: Parser<Uint8Array> = (raw) => {
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : undefined;
  return bytes?.length === 32
    ? new Uint8Array(bytes)
    : new Invalid('must be 32 random bytes in base64 (openssl rand -base64 32)');
};

const PERIOD = /^(\d{1,4}) (working_days|calendar_days|hours)$/;
/** A period as `<n> <unit>`, e.g. `2 working_days` (units of libs/calendar). */
export const period: Parser<{
  length: number;
  unit: 'working_days' | 'calendar_days' | 'hours';
}> = (raw) => {
  const match = PERIOD.exec(raw.trim());
  if (!match || Number(match[1]) === 0) {
    return new Invalid(
      `must be "<n> <unit>" with n ≥ 1 and unit working_days, calendar_days or hours${got(raw)}`,
    );
  }
  return { length: Number(match[1]), unit: match[2] as 'working_days' | 'calendar_days' | 'hours' };
};

const DECIMAL = /^(0|1)(\.\d{1,6})?$/;

/** A share from 0 to 1 such as `0.9`. */
export const fraction: Parser<number> = (raw) =>
  DECIMAL.test(raw) && Number(raw) <= 1
    ? Number(raw)
    : new Invalid(`must be a number from 0 to 1 such as 0.9${got(raw)}`);

/** Three shares from 0 to 1 that sum to 1: response, resolution, satisfaction. */
export const weights: Parser<{ response: number; resolution: number; satisfaction: number }> = (
  raw,
) => {
  const items = list(raw);
  const values = items.map(Number);
  const valid =
    items.length === 3 &&
    items.every((item) => DECIMAL.test(item) && Number(item) <= 1) &&
    Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-9;
  return valid
    ? { response: values[0]!, resolution: values[1]!, satisfaction: values[2]! }
    : new Invalid(
        `must be three numbers from 0 to 1 that sum to 1 (response,resolution,satisfaction), such as 0.1,0.5,0.4${got(raw)}`,
      );
};
