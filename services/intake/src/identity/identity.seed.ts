import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '@casegrid/auth';
import { uuidv7 } from '@casegrid/kernel';
import { DEMO_ADMIN_PASSWORD } from '@casegrid/platform';
import type { Role } from '@casegrid/identity';
import { findTies, type RoutingRule } from '@casegrid/intake';
import { systemActor, type ReferencePublisher } from '@casegrid/runtime';
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

/** The seed's changes are the service's own. */
export const SEED_ACTOR = systemActor('intake');

/**
 * First start: the organisation of the seed file (regions top-down, then departments,
 * then demo users when asked), each row published as it is inserted.
 *
 * Transaction boundaries: the regions and departments in one transaction with their
 * events, so a start that dies half-way leaves nothing and the next one (which seeds only
 * an empty table) starts over — per-batch commits would leave a half-seeded tree that no
 * later start completes. The demo users in a second one, after the password hash is
 * computed (scrypt must not hold a transaction open). Every insert skips what exists and
 * only what this call inserted is published, so instances starting together converge on
 * the same rows, each published once: the second waits on the first's keys, then finds
 * them taken.
 */
export async function seedOrganisation(
  repository: OrganisationRepository,
  publisher: ReferencePublisher,
  seed: OrganisationSeed,
  options: { readonly demoUsers: boolean },
): Promise<void> {
  await publisher.transaction(async (tx) => {
    if (!(await repository.isEmpty(tx))) return;
    for (const { code, name } of seed.regions) {
      const record = await repository.addRegion(code, name, tx);
      if (record) await publisher.publish(tx, { kind: 'region', record }, SEED_ACTOR);
    }
    for (const department of seed.departments) {
      const record = await repository.addDepartment(department, tx);
      if (record) await publisher.publish(tx, { kind: 'department', record }, SEED_ACTOR);
    }
  });
  if (!options.demoUsers) return;
  // One hash serves every demo user: they share the documented demo password.
  const hash = await hashPassword(DEMO_USER_PASSWORD);
  await publisher.transaction(async (tx) => {
    for (const user of seed.users) {
      if (await repository.credentials(user.username, tx)) continue;
      const record = await repository.addUser({ id: uuidv7(), ...user }, hash, tx);
      if (record) await publisher.publish(tx, { kind: 'user', record }, SEED_ACTOR);
    }
  });
}

/**
 * First start: the seed file's routing rules, all in one transaction with their events and
 * only while the table is empty, so instances starting together converge and an
 * administrator's edits are never overwritten. A seed whose rules tie stops the start: it
 * is our mistake.
 */
export async function seedRoutingRules(
  repository: RoutingRulesRepository,
  seed: OrganisationSeed,
): Promise<void> {
  const tie = findTies(seed.routingRules)[0];
  if (tie) throw new Error(`seed routing rules ${tie[0].id} and ${tie[1].id} tie`);
  await repository.seedIfEmpty(
    seed.routingRules.map(({ note, ...rule }) => ({ rule, note: note ?? null })),
    SEED_ACTOR,
  );
}

/**
 * The always-present `admin`, whose password follows CASEGRID_ADMIN_PASSWORD on every start.
 * Creating it publishes the user; a new password changes nothing that is published.
 */
export async function ensureAdministrator(
  repository: OrganisationRepository,
  publisher: ReferencePublisher,
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
    const hash = await hashPassword(password);
    const added = await publisher.write('user', SEED_ACTOR, (tx) =>
      repository.addUser(user, hash, tx),
    );
    if (added) return;
  }
  const current = existing ?? (await repository.credentials(ADMIN_USERNAME));
  if (
    current &&
    !(current.passwordHash && (await verifyPassword(password, current.passwordHash)))
  ) {
    await repository.setPasswordHash(current.id, await hashPassword(password));
  }
}
