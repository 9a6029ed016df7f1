/**
 * How personal fields are shown to those who may not see them in clear (issue 3):
 * 张*三, 370102********1234, 138****5678. Masks keep enough to tell two parties apart on
 * a screen and never enough to identify or call anyone.
 */
export const PERSONAL_FIELDS = ['name', 'idNumber', 'phone', 'address'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];
export type PersonalData = Readonly<Partial<Record<PersonalField, string>>>;

const chars = (value: string): string[] => [...value.trim()];

/** 张三 → 张*, 张小三 → 张*三, 欧阳娜娜 → 欧**娜, Li Wei → L*****i. */
export function maskName(name: string): string {
  const c = chars(name);
  if (c.length <= 1) return '*';
  if (c.length === 2) return `${c[0]}*`;
  return `${c[0]}${'*'.repeat(c.length - 2)}${c.at(-1)}`;
}

/** Region of issue (6) and last four stay: 370102********1234. */
export function maskIdNumber(idNumber: string): string {
  const c = chars(idNumber);
  if (c.length < 10) return '*'.repeat(c.length);
  return `${c.slice(0, 6).join('')}${'*'.repeat(c.length - 10)}${c.slice(-4).join('')}`;
}

/** Mobile 13812345678 → 138****5678, landline 0531-86001234 → 0531-****1234. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[\s-]/g, '');
  const mobile = /^(?:\+?86)?(1\d{10})$/.exec(digits)?.[1];
  if (mobile) return `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
  const landline = /^(0\d{2,3})(\d{7,8})$/.exec(digits.replace(/-.*$/, ''));
  if (landline?.[1] && landline[2]) return `${landline[1]}-****${landline[2].slice(-4)}`;
  const c = chars(digits);
  if (c.length <= 4) return '*'.repeat(c.length);
  return `${'*'.repeat(c.length - 4)}${c.slice(-4).join('')}`;
}

/** The first six characters (province, city) stay; the stars do not tell the length: 山东省济南市****. */
export function maskAddress(address: string): string {
  const c = chars(address);
  const kept = Math.min(6, Math.floor(c.length / 2));
  return `${c.slice(0, kept).join('')}****`;
}

const MASKS: Readonly<Record<PersonalField, (value: string) => string>> = {
  name: maskName,
  idNumber: maskIdNumber,
  phone: maskPhone,
  address: maskAddress,
};

export const maskPersonalData = (data: PersonalData): PersonalData =>
  Object.fromEntries(
    PERSONAL_FIELDS.flatMap((field) => {
      const value = data[field];
      return value === undefined ? [] : [[field, MASKS[field](value)]];
    }),
  );
