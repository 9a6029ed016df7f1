import { quoteSchema } from './sql-identifier';

/**
 * The event store's tables in one service's schema (shape after emmett's `tables.ts`).
 *
 * Ordering. `global_position` comes from an identity sequence, which hands out numbers
 * before commit: a transaction can take position 5 and commit after the one that took 6.
 * Readers therefore never order by position alone. They order by
 * `(transaction_id, global_position)` and read only below the database's snapshot horizon
 * (`HORIZON_SQL`, horizon-reader.ts): every transaction here below it has ended, and any
 * transaction still running or yet to write gets a larger id, so nothing can appear later
 * behind a reader's checkpoint. `streams.last_transaction_id` keeps that order consistent
 * with each stream's own order: an append whose transaction id is older than the stream's
 * last writer's is refused (and retried in a fresh transaction), so a stream is never read
 * out of order.
 */
export const eventStoreDdl = (schemaName: string): string => {
  const s = quoteSchema(schemaName);
  return `
create table ${s}.streams (
  stream_id text primary key,
  version bigint not null check (version > 0),
  last_transaction_id xid8 not null,
  updated_at timestamptz not null default now()
);

create table ${s}.events (
  global_position bigint generated always as identity,
  stream_id text not null,
  stream_position bigint not null check (stream_position > 0),
  event_id uuid not null,
  event_type text not null,
  schema_version int not null default 1,
  data jsonb not null,
  metadata jsonb not null,
  transaction_id xid8 not null default pg_current_xact_id(),
  recorded_at timestamptz not null default now(),
  primary key (stream_id, stream_position)
);
create unique index events_event_id on ${s}.events (event_id);
create unique index events_global_position on ${s}.events (global_position);
create index events_read_order on ${s}.events (transaction_id, global_position);

-- The transactional outbox: a row per event to publish, written by the same statement as
-- the event. The relay publishes rows in read order and deletes them once the broker
-- acknowledged them; a crash in between publishes them again (duplicates, never loss).
create table ${s}.outbox (
  position bigint generated always as identity primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  topic text not null,
  message_key text not null,
  event_position bigint not null references ${s}.events (global_position)
);
create index outbox_read_order on ${s}.outbox (transaction_id, position);

-- The inbox: event ids a consumer has applied, written in the consumer's own transaction.
create table ${s}.inbox (
  consumer text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

${appendBatchDdl(schemaName)}
`;
};

/**
 * One call appends any number of requests, each to its own stream, in the caller's
 * transaction: the unit of group commit (many concurrent appends, one round trip, one
 * commit) and of the in-transaction append a consumer makes. Expected version -1 means
 * "any", 0 "no stream yet". A request ends as a row: ok | duplicate (the same event ids
 * were appended before: idempotent) | conflict (the version moved) | id_reused (some ids
 * exist, not all) | out_of_order (this transaction's id is older than the stream's last
 * writer's; retry in a new transaction). Conflicts are rows, not exceptions, so one
 * request's conflict does not abort its neighbours in the batch.
 *
 * One set-based statement for the whole batch (idempotency probe, stream version checks,
 * events, outbox; docs/benchmarks.md, Findings), which requires that no stream appears
 * twice in one call — the
 * group committer guarantees that (appendInTransaction sends one request). Its plan is
 * pinned: a generic plan is made once per connection, possibly while the tables are still
 * empty, and must not settle on a sequential scan of events.
 */
const appendBatchDdl = (schemaName: string): string => {
  const s = quoteSchema(schemaName);
  return `
create function ${s}.append_batch(
  p_stream_ids text[], p_expected bigint[], p_counts int[], p_topics text[],
  p_event_ids uuid[], p_types text[], p_schema_versions int[], p_data jsonb[], p_metadata jsonb[]
) returns table (outcome text, stream_version bigint, first_position bigint, last_position bigint)
language plpgsql
set plan_cache_mode = force_generic_plan
set enable_seqscan = off
as $fn$
declare
  v_xid xid8 := pg_current_xact_id();
begin
  return query
  with req as (
    select r.i, r.stream_id, r.expected, r.cnt, r.topic,
           (sum(r.cnt) over (order by r.i) - r.cnt)::int as off
    from unnest(p_stream_ids, p_expected, p_counts, p_topics)
      with ordinality as r(stream_id, expected, cnt, topic, i)
  ), req_ev as (
    select r.i, e.k, e.k - r.off as n, e.id, e.type, e.sv, e.data, e.meta
    from unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata)
      with ordinality as e(id, type, sv, data, meta, k)
    join req r on e.k > r.off and e.k <= r.off + r.cnt
  ), existing as (
    select re.i, count(*)::int as found, bool_and(x.stream_id = r.stream_id) as same_stream,
           max(x.stream_position) as max_pos, min(x.global_position) as lo, max(x.global_position) as hi
    from req_ev re join req r on r.i = re.i join ${s}.events x on x.event_id = re.id
    group by re.i
  ), fresh as (
    select r.* from req r where not exists (select 1 from existing x where x.i = r.i)
  ), created as (
    insert into ${s}.streams as st (stream_id, version, last_transaction_id)
    select f.stream_id, f.cnt, v_xid from fresh f where f.expected = 0 order by f.stream_id
    on conflict (stream_id) do nothing
    returning st.stream_id, st.version
  ), bumped as (
    update ${s}.streams st set version = st.version + f.cnt, last_transaction_id = v_xid,
      updated_at = now()
    from fresh f
    where f.expected > 0 and st.stream_id = f.stream_id and st.version = f.expected
      and st.last_transaction_id <= v_xid
    returning st.stream_id, st.version
  ), any_version as (
    insert into ${s}.streams as st (stream_id, version, last_transaction_id)
    select f.stream_id, f.cnt, v_xid from fresh f where f.expected < 0 order by f.stream_id
    on conflict (stream_id) do update set version = st.version + excluded.version,
      last_transaction_id = v_xid, updated_at = now()
      where st.last_transaction_id <= v_xid
    returning st.stream_id, st.version
  ), accepted as (
    select f.i, f.stream_id, f.topic, a.version - f.cnt as old
    from fresh f
    join (select * from created union all select * from bumped union all select * from any_version) a
      on a.stream_id = f.stream_id
  ), inserted as (
    insert into ${s}.events
      (stream_id, stream_position, event_id, event_type, schema_version, data, metadata)
    select a.stream_id, a.old + re.n, re.id, re.type, re.sv, re.data, re.meta
    from accepted a join req_ev re on re.i = a.i
    order by re.k
    returning stream_id, global_position
  ), published as (
    insert into ${s}.outbox (topic, message_key, event_position)
    select a.topic, ins.stream_id, ins.global_position
    from inserted ins join accepted a on a.stream_id = ins.stream_id
    where a.topic is not null order by ins.global_position
  ), positions as (
    select ins.stream_id, min(ins.global_position) as lo, max(ins.global_position) as hi
    from inserted ins group by ins.stream_id
  )
  select
    case
      when x.i is not null then
        case when x.found = r.cnt and x.same_stream then 'duplicate' else 'id_reused' end
      when a.i is not null then 'ok'
      when st.last_transaction_id > v_xid and (r.expected < 0 or st.version = r.expected)
        then 'out_of_order'
      else 'conflict'
    end::text,
    case
      when x.i is not null then
        case when x.found = r.cnt and x.same_stream then x.max_pos end
      when a.i is not null then a.old + r.cnt
      else coalesce(st.version, 0)
    end::bigint,
    case when x.i is not null and x.found = r.cnt and x.same_stream then x.lo
         when a.i is not null then p.lo end::bigint,
    case when x.i is not null and x.found = r.cnt and x.same_stream then x.hi
         when a.i is not null then p.hi end::bigint
  from req r
  left join existing x on x.i = r.i
  left join accepted a on a.i = r.i
  left join positions p on a.i is not null and p.stream_id = r.stream_id
  left join ${s}.streams st on st.stream_id = r.stream_id
  order by r.i;
end
$fn$;
`;
};
