import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CASE_EVENTS_TOPIC, ceType } from '@casegrid/contracts';
import {
  withInbox,
  type MessageHandler,
  type Subscription,
  type Transport,
} from '@casegrid/messaging';
import { CASEGRID_CLOCK, type CasegridClock } from '@casegrid/platform';
import { retryOnConflict, TRANSPORT } from '@casegrid/runtime';
import { CaseStore } from './case.store';

export const INTAKE_CASE_EVENTS_GROUP = 'intake.case-events';
const REOPENED = ceType('supervision', 'CaseReopened', 1);

/**
 * Intake's consumer of supervision's CaseReopened: a case whose outcome intake recorded
 * goes back to its holder (CaseHandlingResumed), so the direct track can be resolved again
 * after an unsatisfied follow-up. Every other event of the topic is passed over.
 *
 * Transaction boundary: per message, the inbox row and intake's appended event (with its
 * outbox row) commit together; the group's position moves only after that. A concurrent
 * command on the case makes the append conflict; the unit runs again on fresh state.
 */
@Injectable()
export class ReopenedCasesConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly handle: MessageHandler;
  private subscription: Subscription | undefined;

  constructor(
    private readonly cases: CaseStore,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
  ) {
    const runtime = cases.runtime;
    const inbox = withInbox({
      pool: runtime.db.pool,
      schema: runtime.service,
      consumer: INTAKE_CASE_EVENTS_GROUP,
      handle: async (event, tx) => {
        const loaded = await cases.load(event.subject, tx);
        const reason = (event.data as { reason?: unknown }).reason;
        await cases.decideAndAppend(tx, event.subject, loaded, {
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
      },
    });
    this.handle = async (message) => {
      // Every other event of the topic is passed over before the inbox: it would cost a
      // transaction here for nothing.
      if (message.headers['ce_type'] !== REOPENED) return;
      await retryOnConflict(true, () => inbox(message));
      runtime.relay.wake();
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscription ??= await this.transport.subscribe({
      group: INTAKE_CASE_EVENTS_GROUP,
      topics: [CASE_EVENTS_TOPIC],
      handle: this.handle,
    });
  }

  async onModuleDestroy(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}
