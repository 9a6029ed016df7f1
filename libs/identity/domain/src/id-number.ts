/**
 * Resident identity numbers (公民身份号码, GB 11643-1999): 6 digits of the region of
 * issue, 8 of the birth date, 3 of sequence, and an ISO 7064 MOD 11-2 check character.
 * A clerk's typo fails the check digit nine times out of ten.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

export type IdNumberProblem = 'format' | 'birth_date' | 'check_digit';

export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK[sum % 11] ?? '';
}

/** Why a resident id number is invalid, or `undefined` when it is valid. */
export function idNumberProblem(
  raw: string,
  today: Date = new Date(),
): IdNumberProblem | undefined {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return 'format';
  const [year, month, day] = [value.slice(6, 10), value.slice(10, 12), value.slice(12, 14)].map(
    Number,
  ) as [number, number, number];
  const birth = new Date(Date.UTC(year, month - 1, day));
  const real =
    birth.getUTCFullYear() === year &&
    birth.getUTCMonth() === month - 1 &&
    birth.getUTCDate() === day;
  if (!real || year < 1900 || birth.getTime() > today.getTime()) return 'birth_date';
  return idNumberCheckCharacter(value) === value[17] ? undefined : 'check_digit';
}

/** Uppercase X, no spaces: the form stored and compared. */
export const normaliseIdNumber = (raw: string): string => raw.trim().toUpperCase();

/** Mainland mobile (with or without +86) or a landline with area code, as clerks type them. */
export const isPhoneNumber = (raw: string): boolean =>
  /^(?:(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$/.test(raw.replace(/\s/g, ''));
