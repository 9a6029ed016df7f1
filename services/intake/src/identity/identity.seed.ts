import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '@casegrid/auth';
import { uuidv7 } from '@casegrid/kernel';
import { DEMO_ADMIN_PASSWORD } from '@casegrid/platform';
import type { Role } from '@casegrid/identity';
import { findTies, type RoutingRule } from '@casegrid/intake';
import type { RoutingRulesRepository } from '../routing/routing-rules.repository';
import type { OrganisationRepository } from './organisation.repository';

export interface OrganisationSeed {
  readonly adminDepartmentId: string;
  readonly regions: readonly { code: string; name: string }[];
  readonly departments: readonly { id: string; name: string; type: string; regionCode: string }[];
  readonly users: readonly {
    username: string;
    name: string;
    departmentId: string;
    roles: Role[];
  }[];
  /** The routing table of the demo organisation; ids fixed like the departments'. */
  readonly routingRules: readonly (RoutingRule & { readonly note?: string })[];
}

export const DEMO_SEED_FILE = join(__dirname, 'seed', 'demo-organisation.json');
/** Every demo user's password (README, Demo users). Never seeded in production. */
export const DEMO_USER_PASSWORD = DEMO_ADMIN_PASSWORD;
export const ADMIN_USERNAME = 'admin';

export const readSeed = (file = DEMO_SEED_FILE): OrganisationSeed =>
  JSON.parse(readFileSync(file, 'utf8')) as OrganisationSeed;

/**
 * First start: the organisation of the seed file (regions top-down, then departments,
 * then demo users when asked). Every insert skips what exists, so instances starting
 * together, or a restart half-way, converge on the same rows.
 */
export async function seedOrganisation(
  repository: OrganisationRepository,
  seed: OrganisationSeed,
  options: { readonly demoUsers: boolean },
): Promise<void> {
  if (await repository.isEmpty()) {
    for (const region of seed.regions) await repository.addRegion(region.code, region.name);
    for (const department of seed.departments) await repository.addDepartment(department);
  }
  if (!options.demoUsers) return;
  // One hash serves every demo user: they share the documented demo password.
  const hash = await hashPassword(DEMO_USER_PASSWORD);
  for (const user of seed.users) {
    if (await repository.credentials(user.username)) continue;
    await repository.addUser({ id: uuidv7(), ...user }, hash);
  }
}

/**
 * First start: the seed file's routing rules, all in one transaction and only while the
 * table is empty, so instances starting together converge and an administrator's edits
 * are never overwritten. A seed whose rules tie stops the start: it is our mistake.
 */
export async function seedRoutingRules(
  repository: RoutingRulesRepository,
  seed: OrganisationSeed,
): Promise<void> {
  const tie = findTies(seed.routingRules)[0];
  if (tie) throw new Error(`seed routing rules ${tie[0].id} and ${tie[1].id} tie`);
  await repository.seedIfEmpty(
    seed.routingRules.map(({ note, ...rule }) => ({ rule, note: note ?? null })),
  );
}

/** The always-present `admin`, whose password follows CASEGRID_ADMIN_PASSWORD on every start. */
export async function ensureAdministrator(
  repository: OrganisationRepository,
  seed: OrganisationSeed,
  password: string,
): Promise<void> {
  const existing = await repository.credentials(ADMIN_USERNAME);
  if (!existing) {
    const user = {
      id: uuidv7(),
      username: ADMIN_USERNAME,
      name: '系统管理员',
      departmentId: seed.adminDepartmentId,
      roles: ['admin'] as Role[],
    };
    if (await repository.addUser(user, await hashPassword(password))) return;
  }
  const current = existing ?? (await repository.credentials(ADMIN_USERNAME));
  if (
    current &&
    !(current.passwordHash && (await verifyPassword(password, current.passwordHash)))
  ) {
    await repository.setPasswordHash(current.id, await hashPassword(password));
  }
}
