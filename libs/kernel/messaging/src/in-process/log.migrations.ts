import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema } from '@casegrid/event-store';

export const TRANSPORT_SCHEMA = 'transport';

/** The advisory lock that puts publishes to the log in a line (see `publish` below). */
export const logLockKey = (schema: string): string => `casegrid:log:${schema}`;

/**
 * The embedded default's broker: a durable log table in PostgreSQL with one partition per
 * topic and a committed position per consumer group and topic.
 */
export const inProcessTransportMigrations = (
  schema: string = TRANSPORT_SCHEMA,
): (new () => MigrationInterface)[] => {
  const T = quoteSchema(schema);
  class InProcessTransport1763800000001 implements MigrationInterface {
    readonly name = 'InProcessTransport1763800000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${T}.log (
          position bigint generated always as identity primary key,
          transaction_id xid8 not null default pg_current_xact_id(),
          topic text not null,
          message_key text not null,
          headers jsonb not null,
          value text not null,
          published_at timestamptz not null default now()
        );
        create index log_read_order on ${T}.log (topic, transaction_id, position);
        create table ${T}.consumer_offsets (
          group_id text not null,
          topic text not null,
          transaction_id xid8 not null,
          position bigint not null,
          updated_at timestamptz not null default now(),
          primary key (group_id, topic)
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${T}.consumer_offsets, ${T}.log`);
    }
  }

  /**
   * Positions in commit order. Publishing takes one transaction-scoped advisory lock and
   * inserts under it (`publish`, one statement): the next publish gets its positions only
   * after the previous one committed and became visible, so positions grow in the order
   * readers can see them, and `position > N` never skips a late commit. The first round
   * read in (transaction id, position) order below the snapshot horizon instead, which
   * held every group back behind any long transaction on the server.
   *
   * A group's saved (transaction id, position) becomes a position: one before its first
   * row not yet delivered in the old order, so nothing is skipped; rows delivered before
   * and after it come again, and the inbox absorbs them.
   */
  class InProcessTransportCommitOrder1765000000002 implements MigrationInterface {
    readonly name = 'InProcessTransportCommitOrder1765000000002';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        update ${T}.consumer_offsets o set position = coalesce(
          (select min(l.position) - 1 from ${T}.log l where l.topic = o.topic
             and (l.transaction_id, l.position) > (o.transaction_id, o.position)),
          (select max(l.position) from ${T}.log l where l.topic = o.topic),
          o.position);
        alter table ${T}.consumer_offsets drop column transaction_id;
        drop index ${T}.log_read_order;
        create index log_topic_position on ${T}.log (topic, position);
        create function ${T}.publish(p_topics text[], p_keys text[], p_headers jsonb[], p_values text[])
        returns void language plpgsql as $fn$
        begin
          perform pg_advisory_xact_lock(hashtext(${quoteLiteral(logLockKey(schema))}));
          insert into ${T}.log (topic, message_key, headers, value)
          select m.topic, m.message_key, m.headers, m.value
          from unnest(p_topics, p_keys, p_headers, p_values) with ordinality
            as m(topic, message_key, headers, value, n)
          order by m.n;
        end
        $fn$;`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`
        drop function ${T}.publish;
        drop index ${T}.log_topic_position;
        create index log_read_order on ${T}.log (topic, transaction_id, position);
        alter table ${T}.consumer_offsets add column transaction_id xid8 not null default '0';`);
    }
  }
  /** Producers' watermarks are pruned once every group is past them (`pruneWatermarks`). */
  class InProcessTransportWatermarks1765000000011 implements MigrationInterface {
    readonly name = 'InProcessTransportWatermarks1765000000011';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(
        `create index log_watermarks on ${T}.log (topic, position) where headers ? 'casegrid_watermark'`,
      );
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop index ${T}.log_watermarks`);
    }
  }
  /**
   * Reading after a position walks `log_topic_position` in order and stops after the page,
   * whatever the statistics say. Left to the planner, a log filled faster than it was
   * analysed (a burst, a backlog after an outage) was read by a bitmap scan of every row
   * after the position and a sort, for each page: a group catching up on N messages read
   * N²/page rows (2,240 heap pages for each page of 500 out of 20,000).
   */
  class InProcessTransportReadInOrder1765000000020 implements MigrationInterface {
    readonly name = 'InProcessTransportReadInOrder1765000000020';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create function ${T}.read_after(p_topic text, p_after bigint, p_limit int)
        returns table ("position" bigint, message_key text, headers jsonb, value text)
        language sql stable
        set enable_bitmapscan = off set enable_sort = off set enable_seqscan = off
        as $fn$
          select l.position, l.message_key, l.headers, l.value from ${T}.log l
          where l.topic = p_topic and l.position > p_after
          order by l.position limit p_limit
        $fn$;`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop function ${T}.read_after`);
    }
  }
  return [
    InProcessTransport1763800000001,
    InProcessTransportCommitOrder1765000000002,
    InProcessTransportWatermarks1765000000011,
    InProcessTransportReadInOrder1765000000020,
  ];
};

const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;
