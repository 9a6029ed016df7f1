import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC, ceType, type CloudEvent } from '@casegrid/contracts';
import { EVENT_HANDLER, ofTypes, type EachEventHandler } from '@casegrid/messaging';
import { CASEGRID_CLOCK, type CasegridClock } from '@casegrid/platform';
import { CaseStore } from './case.store';

export const INTAKE_CASE_EVENTS_GROUP = 'intake.case-events';
const REOPENED = ceType('supervision', 'CaseReopened', 1);

/**
 * Intake's handler of supervision's CaseReopened: a case whose outcome intake recorded
 * goes back to its holder (CaseHandlingResumed), so the direct track can be resolved again
 * after an unsatisfied follow-up. Every other event of the topic is passed over before any
 * transaction.
 *
 * Transaction boundary: the processor's, one per batch: intake's appended events (with
 * their outbox rows), the inbox rows and the group's position commit together. A
 * concurrent command on the case makes the append conflict; the processor runs the batch
 * again on fresh state.
 */
@Injectable()
export class ReopenedCasesConsumer implements EachEventHandler {
  readonly [EVENT_HANDLER] = true as const;
  readonly group = INTAKE_CASE_EVENTS_GROUP;
  readonly topics = [CASE_EVENTS_TOPIC];
  readonly accepts = ofTypes(REOPENED);
  readonly pool: Pool;
  readonly schema: string;

  constructor(
    private readonly cases: CaseStore,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
  ) {
    this.pool = cases.runtime.db.pool;
    this.schema = cases.runtime.service;
  }

  afterCommit(): void {
    this.cases.runtime.relay.wake();
  }

  async apply(tx: PoolClient, event: CloudEvent): Promise<void> {
    const loaded = await this.cases.load(event.subject, tx);
    const reason = (event.data as { reason?: unknown }).reason;
    await this.cases.decideAndAppend(tx, event.subject, loaded, {
      type: 'ResumeHandling',
      data: { reason: typeof reason === 'string' ? reason : 'reopened by supervision' },
      metadata: {
        actor: event.actor,
        ...(event.department ? { department: event.department } : {}),
        correlationId: event.correlationid,
        causationId: event.id,
        now: this.clock.now(),
      },
    });
  }
}
