import { quoteSchema } from './sql-identifier';

/**
 * Gapless numbers (a case's `2026-370102-000001`, a document's 文号): a counter row per
 * series, and `append_numbered`, which takes the next number and appends the events that
 * carry it in ONE statement. The counter's row lock lasts until the transaction ends, and
 * every other writer of the series waits for it; taking it in the transaction's last
 * statement, committed in the same round trip (`queryAndCommit`), keeps that wait to the
 * statement and the commit. A transaction that rolls back gives its number back.
 */
export const numberingDdl = (schemaName: string): string => {
  const s = quoteSchema(schemaName);
  return `
create table ${s}.numbering (
  series text primary key,
  last_value bigint not null check (last_value > 0),
  updated_at timestamptz not null default now()
);

-- The number is formatted from p_template (format()'s %s) with the sequence zero-padded to
-- p_width, written into the first event's data at p_path, then append_batch runs as usual.
-- The same events appended before answer with the number they got then (an idempotent
-- retry takes no new one). Any other outcome than ok RAISES, so that nothing of the
-- statement stands — the number taken included — even when COMMIT follows in the same
-- message (a returned outcome row would have let that COMMIT keep the number: a gap).
create function ${s}.append_numbered(
  p_series text, p_template text, p_width int, p_path text[],
  p_stream_ids text[], p_expected bigint[], p_counts int[], p_topics text[],
  p_event_ids uuid[], p_types text[], p_schema_versions int[], p_data jsonb[], p_metadata jsonb[]
) returns table (number text, outcome text, stream_version bigint, first_position bigint, last_position bigint)
language plpgsql as $fn$
declare
  v_value bigint;
  v_digits text;
  v_number text;
  v_row record;
begin
  select e.data #>> p_path as number, e.stream_id, e.stream_position into v_row
  from ${s}.events e where e.event_id = p_event_ids[1];
  if found then
    return query select v_row.number, a.outcome, a.stream_version, a.first_position, a.last_position
      from ${s}.append_batch(p_stream_ids, p_expected, p_counts, p_topics, p_event_ids, p_types,
        p_schema_versions, p_data, p_metadata) a;
    return;
  end if;
  insert into ${s}.numbering as n (series, last_value) values (p_series, 1)
  on conflict (series) do update set last_value = n.last_value + 1, updated_at = now()
  returning n.last_value into v_value;
  v_digits := v_value::text;
  v_number := format(p_template, case when length(v_digits) < p_width
    then lpad(v_digits, p_width, '0') else v_digits end);
  p_data[1] := jsonb_set(p_data[1], p_path, to_jsonb(v_number));
  select a.* into v_row from ${s}.append_batch(p_stream_ids, p_expected, p_counts, p_topics,
    p_event_ids, p_types, p_schema_versions, p_data, p_metadata) a;
  if v_row.outcome <> 'ok' then
    raise exception 'append_numbered: %', v_row.outcome
      using errcode = 'P0001', detail = json_build_object('outcome', v_row.outcome,
        'stream_version', v_row.stream_version)::text;
  end if;
  return query select v_number, v_row.outcome, v_row.stream_version, v_row.first_position,
    v_row.last_position;
end
$fn$;
`;
};
