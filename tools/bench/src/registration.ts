import { idNumberCheckCharacter } from '@casegrid/identity';

/** The demo organisation's password (services/intake/src/identity/seed). */
export const DEMO_PASSWORD = 'casegrid-demo';

/**
 * The city's supervisor (济南市综治中心, department at the city tier): every village of the
 * demo organisation is in its jurisdiction, so it may read every case on the ledger.
 */
export const CITY_SUPERVISOR = 'supervisor.jinan';

/** The demo organisation's intake clerks, each with two villages of its own jurisdiction. */
export const CLERKS: readonly {
  readonly username: string;
  readonly villages: readonly string[];
}[] = [
  { username: 'clerk.jiefang', villages: ['370102001001', '370102001002'] },
  { username: 'clerk.lixia', villages: ['370102002001', '370102002002'] },
  { username: 'clerk.daguanyuan', villages: ['370103001001', '370103001002'] },
  { username: 'hotline.jinan', villages: ['370103002001', '370103002002'] },
];

const DAY_MS = 86_400_000;
const FIRST_BIRTH = Date.UTC(1950, 0, 1);

/**
 * The `n`th resident id number of a run, a valid one (GB 11643) that no other `n` gives:
 * a thousand sequence numbers per birth date, birth dates from 1950 on. A registration that
 * shared an applicant's number, category and village with an open case would be linked to
 * it as a repeat (200) instead of registered.
 */
export const idNumberOf = (n: number): string => {
  const birth = new Date(FIRST_BIRTH + Math.floor(n / 1000) * DAY_MS);
  const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `110105${date}${String(n % 1000).padStart(3, '0')}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
};

/**
 * A neighbour dispute in one of the clerk's villages: the seeded rule sends it to the
 * village's mediation committee, so intake registers and dispatches it in one request.
 */
export const registrationBody = (n: number, village: string): Record<string, unknown> => ({
  kind: 'dispute',
  channel: 'window',
  title: '邻里噪音纠纷',
  description: '楼上装修噪音持续，多次协商未果',
  category: 'neighbor',
  regionCode: village,
  urgency: 'normal',
  severity: 'minor',
  parties: [
    { role: 'applicant', name: '王五', idNumber: idNumberOf(n), phone: '13812345678' },
    { role: 'respondent', name: '赵六' },
  ],
});

export interface Registered {
  readonly id: string;
  readonly status: string;
  readonly repeat: boolean;
}

export const parseRegistered = (body: string): Registered => {
  const parsed = JSON.parse(body) as Partial<Registered>;
  return { id: parsed.id ?? '', status: parsed.status ?? '', repeat: parsed.repeat === true };
};
