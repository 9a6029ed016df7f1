import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCaseEvent, type CloudEvent } from '@casegrid/contracts';
import {
  responsibilityOf,
  stateAt,
  verifyChain,
  type BreachResponsibility,
  type ChainLink,
} from '@casegrid/audit';
import type { CaseEvent, LedgerCase } from '@casegrid/supervision';

/**
 * Golden histories (issue 18): streams of representative cases recorded from the running
 * system (`npm run golden:record`, services/embedded/src/golden) — each track and outcome,
 * a transfer, escalation and 通报, a reopen, an erasure — folded with today's code into the
 * audit state and compared with what the code of their day made of them. An inspector
 * replays years-old streams: a reducer or hash change that alters one is a deliberate,
 * reviewed update of its fixture, never a silent one.
 */
interface Golden {
  readonly story: string;
  readonly links: (ChainLink & { readonly event: CloudEvent })[];
  readonly expected: {
    readonly ledger: LedgerCase;
    readonly responsibility: BreachResponsibility[];
  };
}

const DIR = join(__dirname, 'golden');
const goldens = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Golden] as const);

const eventsOf = (golden: Golden): CaseEvent[] =>
  golden.links.flatMap((link) => toCaseEvent(link.event) ?? []);

describe('golden histories', () => {
  it('cover each track and outcome, a transfer, an escalation with its notice, a reopen and an erasure', () => {
    expect(goldens.map(([file]) => file).sort()).toEqual([
      'direct-closed.json',
      'erased.json',
      'late-transferred-escalated.json',
      'mediated-confirmed.json',
      'petition-reviewed.json',
      'reopened-closed.json',
    ]);
    const types = new Set(goldens.flatMap(([, g]) => eventsOf(g).map((e) => e.type)));
    for (const type of [
      'CaseTransferred',
      'CaseEscalated',
      'CaseResolved',
      'JudicialConfirmationDecided',
      'PetitionReviewDecided',
      'DeadlineBreached',
      'SupervisionEscalated',
      'NoticeIssued',
      'CaseReopened',
      'CaseHandlingResumed',
      'CaseClosed',
      'PersonalDataErased',
    ]) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
  });

  describe.each(goldens)('%s', (_file, golden) => {
    it('keeps its hash chain valid under today’s algorithm', () => {
      expect(verifyChain(golden.links)).toEqual({ valid: true, events: golden.links.length });
    });

    it('folds into the ledger state it folded into when recorded', () => {
      expect(stateAt(eventsOf(golden), new Date(8.64e15))).toEqual(golden.expected.ledger);
    });

    it('names the same departments responsible for each breach', () => {
      const events = golden.links.flatMap((link) => {
        const event = toCaseEvent(link.event);
        return event ? [{ position: link.position, event }] : [];
      });
      expect(responsibilityOf(events)).toEqual(golden.expected.responsibility);
    });
  });

  it('fails when a recorded payload is read under another field name', () => {
    // What a producer renaming a field, or a reducer reading a new name, does to history.
    const [, direct] = goldens.find(([file]) => file === 'direct-closed.json')!;
    const renamed = eventsOf(direct).map((e) =>
      e.type === 'CaseTransferred'
        ? {
            ...e,
            data: { ...e.data, toDepartmentId: undefined, toDepartment: e.data['toDepartmentId'] },
          }
        : e,
    );
    expect(stateAt(renamed, new Date(8.64e15))).not.toEqual(direct.expected.ledger);
  });
});
