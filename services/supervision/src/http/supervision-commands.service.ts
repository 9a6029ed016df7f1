import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { assertCaseAccess } from '@casegrid/auth';
import type { CaseAction, Principal } from '@casegrid/identity';
import { ConcurrencyError, NotFoundError, uuidv7, ValidationError } from '@casegrid/kernel';
import {
  CASEGRID_CLOCK,
  CASEGRID_CONFIG,
  type CasegridClock,
  type CasegridConfig,
  type IdempotencyOf,
} from '@casegrid/platform';
import {
  commandMetadata,
  commandTransaction,
  referenceReader,
  retryOnConflict,
  type ReferenceReader,
} from '@casegrid/runtime';
import {
  decideSupervision,
  scopeOf,
  settle,
  type LedgerCase,
  type SupervisionCommand,
} from '@casegrid/supervision';
import { ClockContextSource } from '../clocks/clock-context';
import { LedgerStore } from '../ledger/ledger.store';
import type {
  CloseDto,
  DeadlineExtensionDto,
  DeadlinePauseDto,
  FollowUpDto,
  ReopenDto,
  SupervisionOrderDto,
} from './supervision.dto';

export interface CommandAnswer {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

/**
 * supervision's commands: 挂牌督办, 回访, 销号 and reopening. Each runs load → authorise
 * (the one access policy, scoped by the ledger row) → decide → settle (the clock engine
 * reacts) → record, in ONE transaction under the case's lock, with the Idempotency-Key
 * record in that same transaction: a retry after a crash or a lost answer replays the
 * first answer and changes nothing. A version conflict (the consumer or the scheduler
 * wrote first) decides again on fresh state; with If-Match it is a 412 instead.
 */
@Injectable()
export class SupervisionCommands {
  constructor(
    private readonly ledger: LedgerStore,
    private readonly context: ClockContextSource,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
    @Inject(referenceReader('supervision')) private readonly reference: ReferenceReader,
    @Inject(CASEGRID_CONFIG) private readonly config: CasegridConfig,
  ) {}

  async issueOrder(
    caller: Principal,
    caseId: string,
    dto: SupervisionOrderDto,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ): Promise<CommandAnswer> {
    if (!(await this.reference.get('department', dto.responsibleDepartmentId))) {
      throw new ValidationError([
        { field: 'responsibleDepartmentId', message: 'is not a department' },
      ]);
    }
    return this.execute(
      caller,
      caseId,
      'supervision.issue_order',
      idempotency,
      ifMatch,
      (meta) => ({
        type: 'IssueSupervisionOrder',
        data: { orderId: uuidv7(), ...dto, dueAt: new Date(dto.dueAt).toISOString() },
        metadata: meta,
      }),
    );
  }

  recordFollowUp(
    caller: Principal,
    caseId: string,
    dto: FollowUpDto,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.execute(
      caller,
      caseId,
      'supervision.record_follow_up',
      idempotency,
      ifMatch,
      (meta) => ({
        type: 'RecordFollowUp',
        data: {
          followUpId: uuidv7(),
          method: dto.method,
          satisfaction: dto.satisfaction,
          notes: dto.notes,
        },
        metadata: meta,
      }),
    );
  }

  close(
    caller: Principal,
    caseId: string,
    dto: CloseDto,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.execute(caller, caseId, 'supervision.close', idempotency, ifMatch, (meta) => ({
      type: 'CloseCase',
      data: { note: dto.note },
      metadata: meta,
    }));
  }

  reopen(
    caller: Principal,
    caseId: string,
    dto: ReopenDto,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.execute(caller, caseId, 'supervision.reopen', idempotency, ifMatch, (meta) => ({
      type: 'ReopenCase',
      data: { reason: dto.reason },
      metadata: meta,
    }));
  }

  pauseDeadline(
    caller: Principal,
    caseId: string,
    clockId: string,
    dto: DeadlinePauseDto,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.execute(
      caller,
      caseId,
      'supervision.adjust_deadline',
      idempotency,
      ifMatch,
      (meta) => ({
        type: 'PauseDeadline',
        data: { clockId, reason: dto.reason, approvedBy: dto.approvedBy },
        metadata: meta,
      }),
    );
  }

  resumeDeadline(
    caller: Principal,
    caseId: string,
    clockId: string,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.execute(
      caller,
      caseId,
      'supervision.adjust_deadline',
      idempotency,
      ifMatch,
      (meta) => ({
        type: 'ResumeDeadline',
        data: { clockId },
        metadata: meta,
      }),
    );
  }

  extendDeadline(
    caller: Principal,
    caseId: string,
    clockId: string,
    dto: DeadlineExtensionDto,
    idempotency: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.execute(
      caller,
      caseId,
      'supervision.adjust_deadline',
      idempotency,
      ifMatch,
      (meta) => ({
        type: 'ExtendDeadline',
        data: { clockId, length: dto.length, reason: dto.reason, approvedBy: dto.approvedBy },
        metadata: meta,
      }),
    );
  }

  private async execute(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    idempotency: IdempotencyOf,
    ifMatch: number | undefined,
    build: (meta: SupervisionCommand['metadata']) => SupervisionCommand,
  ): Promise<CommandAnswer> {
    await this.awaitCase(caller, caseId, action);
    return retryOnConflict(ifMatch === undefined, () =>
      commandTransaction(
        this.ledger.runtime,
        (tx) => this.decide(tx, caller, caseId, action, ifMatch, build),
        { scope: caller.userId, ...idempotency },
      ),
    );
  }

  private async decide(
    tx: PoolClient,
    caller: Principal,
    caseId: string,
    action: CaseAction,
    ifMatch: number | undefined,
    build: (meta: SupervisionCommand['metadata']) => SupervisionCommand,
  ): Promise<CommandAnswer> {
    await this.ledger.lock(tx, caseId);
    const before = await this.ledger.load(tx, caseId);
    assertCaseAccess(caller, action, caseId, scopeOf(before));
    const state = before as LedgerCase;
    if (ifMatch !== undefined && ifMatch !== state.version) {
      throw new ConcurrencyError(caseId, ifMatch, state.version);
    }
    const now = this.clock.now();
    const meta = commandMetadata(caller, now);
    const context = await this.context.get();
    const decided = decideSupervision(build(meta), state, context);
    const settled = settle(state, decided, { ...meta, at: now.toISOString() }, context);
    const version = await this.ledger.record(tx, state, settled, meta);
    return { id: caseId, version, status: settled.state.status };
  }

  /**
   * Reads are eventually consistent with the other services' commands: a case registered
   * a moment ago may not have reached the ledger. Wait for it as long as every service
   * waits for intake's event (CASE_DIRECTORY_WAIT_MS); then 404, saying so.
   */
  private async awaitCase(caller: Principal, caseId: string, action: CaseAction): Promise<void> {
    const waitMs = this.config.caseDirectory.waitMs;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const state = await this.ledger.load(this.ledger.runtime.db.pool, caseId);
      if (state !== null) {
        assertCaseAccess(caller, action, caseId, scopeOf(state));
        return;
      }
      if (Date.now() >= deadline) {
        throw new NotFoundError(
          `case ${caseId} not found (supervision waited ${waitMs} ms for its registration to arrive)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
