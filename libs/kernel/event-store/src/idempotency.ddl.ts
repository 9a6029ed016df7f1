import { quoteSchema } from './sql-identifier';

/**
 * One row per (caller, Idempotency-Key) whose request committed: the request's fingerprint
 * and the response it got. The row is written in the command's own transaction, so it
 * exists exactly when the command's effects do. `created_at` is indexed for expiry.
 */
export const idempotencyDdl = (schemaName: string): string => {
  const s = quoteSchema(schemaName);
  return `
create table ${s}.idempotency_keys (
  scope text not null,
  key text not null,
  fingerprint text not null,
  status int not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (scope, key)
);

create index idempotency_keys_created_at on ${s}.idempotency_keys (created_at);
`;
};
