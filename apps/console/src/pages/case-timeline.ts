import type { CaseView, MediationFile, PetitionFile } from '../api/types';
import type { Session } from '../session';

export interface TimelineEntry {
  at: string;
  text: string;
  colour: 'green' | 'red' | 'blue' | 'gray';
}

type V = (value: string | null | undefined) => string;

/**
 * The case's history as its public views tell it (registration, each holder, clocks met and
 * breached, orders, the files' steps, follow-ups, closure), oldest first. The raw event
 * stream is the inspector's (`/audit/cases/{id}/events`).
 */
export function timelineOf(
  c: CaseView,
  files: { mediation: MediationFile | null; petition: PetitionFile | null },
  s: Session,
  v: V,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    { at: c.registeredAt, text: `${v('registered')} · ${c.number}`, colour: 'blue' },
  ];
  for (const h of c.holders ?? []) {
    entries.push({
      at: h.since,
      text: `→ ${s.departmentName(h.departmentId)}${h.handlerId ? ` · ${s.userName(h.handlerId)}` : ''}`,
      colour: 'blue',
    });
  }
  for (const d of c.deadlines) {
    const who = s.departmentName(d.departmentId);
    if (d.metAt)
      entries.push({
        at: d.metAt,
        text: `${v(d.obligation)} ${v('met')} · ${who}`,
        colour: 'green',
      });
    if (d.breachedAt)
      entries.push({
        at: d.breachedAt,
        text: `${v(d.obligation)} ${v('breached')} · ${who}`,
        colour: 'red',
      });
  }
  const m = files.mediation;
  if (m) {
    entries.push({ at: m.openedAt, text: `${v('mediation')} · ${v(m.type)}`, colour: 'blue' });
    for (const session of m.sessions)
      entries.push({
        at: session.heldAt,
        text: `#${session.sessionNumber} ${session.location}`,
        colour: 'blue',
      });
    if (m.agreement)
      entries.push({
        at: m.agreement.signedAt,
        text: `${v('agreed')}: ${m.agreement.terms}`,
        colour: 'green',
      });
  }
  const p = files.petition;
  if (p?.opinion)
    entries.push({
      at: p.opinion.at,
      text: `${v('petition_opinion')} · ${v(p.opinion.result)}`,
      colour: 'green',
    });
  for (const o of c.orders)
    entries.push({
      at: o.issuedAt ?? o.dueAt,
      text: `${v('supervision_order')} · ${o.responsibleLeader}`,
      colour: 'red',
    });
  for (const f of c.followUps) {
    const at = f.recordedAt ?? f.at;
    if (at) entries.push({ at, text: `${v('follow_up')} · ${v(f.satisfaction)}`, colour: 'green' });
  }
  if (c.resolvedAt && c.outcome)
    entries.push({ at: c.resolvedAt, text: v(c.outcome.status), colour: 'green' });
  if (c.closedAt) entries.push({ at: c.closedAt, text: v('closed'), colour: 'gray' });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}
