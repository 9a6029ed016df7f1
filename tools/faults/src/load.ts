import { idNumberCheckCharacter } from '@casegrid/identity';
import { isRetryable, type CasegridClient, type Outcome } from './http-client';

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** 山大路社区 (历下区): the seeded rule routes its neighbour disputes to its mediation committee. */
export const VILLAGE = '370102001001';
export const CLERK = 'clerk.jiefang';
export const MEDIATOR = 'mediator.shanda';

export type CommandKind = 'register' | 'accept' | 'mediation';

/** A command that got a 2xx, as the client saw it. */
export interface Ack {
  readonly kind: CommandKind;
  readonly key: string;
  readonly caseId: string;
  readonly status: number;
  readonly attempts: number;
  readonly at: number;
}

/** A command answered with something other than 2xx that is not worth another try. */
export interface Refusal {
  readonly kind: CommandKind;
  readonly key: string;
  readonly status: number;
  readonly body: string;
}

/**
 * A distinct valid resident id number per `n` (GB 11643): a registration sharing an
 * applicant, category and village with an open case would be linked to it as a repeat.
 */
export const idNumberOf = (n: number): string => {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `110105${date}${String(n % 1000).padStart(3, '0')}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
};

/** The registration a key stands for; its title carries the key, so the case is found by it. */
export const registrationOf = (key: string, n: number): Record<string, unknown> => ({
  kind: 'dispute',
  channel: 'window',
  title: `邻里纠纷 ${key}`,
  description: '邻居长期在楼道堆放杂物',
  category: 'neighbor',
  regionCode: VILLAGE,
  parties: [{ role: 'applicant', name: '孙七', idNumber: idNumberOf(n) }],
});

export const keyOfTitle = (title: string): string | undefined =>
  /^邻里纠纷 (\S+)$/.exec(title)?.[1];

export interface LoadOptions {
  readonly clients: number;
  /** The mediator named when a client opens a mediation (mediator.shanda's user id). */
  readonly mediatorId: string;
  /** How long one command is tried again before the client gives up on it. */
  readonly commandTimeoutMs: number;
  /** Tells this load's keys apart from another's on the same system. */
  readonly tag: string;
}

/**
 * The steady load: `clients` closed loops, each registering a case and then, as the lead's
 * mediator, accepting it on the mediation track and opening its mediation — three
 * commands, two services, every one with its own key and retried like a real client.
 * Every 2xx is recorded; that record is what the checks hold the system to.
 */
export class Load {
  readonly acks: Ack[] = [];
  readonly refusals: Refusal[] = [];
  /** Commands given up after `commandTimeoutMs` without an answer worth keeping. */
  readonly unanswered: { kind: CommandKind; key: string; status: number }[] = [];
  private next = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly client: CasegridClient,
    private readonly options: LoadOptions,
  ) {}

  get running(): boolean {
    return this.loops.length > 0;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.loops = Array.from({ length: this.options.clients }, () => this.loop());
  }

  /** Lets every client finish the command in hand (with its retries), then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * One registration outside the loops (the recovery probe), recorded like the others. It
   * tries again every 50 ms, so that it sees the first moment the system writes again.
   */
  async register(key: string, untilMs: number): Promise<Ack | undefined> {
    return this.registerCase(key, this.next++, untilMs, [50]);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const n = this.next++;
      const key = `${this.options.tag}-${n}`;
      const until = (): number => Date.now() + this.options.commandTimeoutMs;
      const registered = await this.registerCase(key, n, until());
      if (!registered || this.stopping) continue;
      const path = `/api/v1/cases/${registered.caseId}`;
      const accepted = await this.run('accept', `${key}-accept`, registered.caseId, () =>
        this.client.command('POST', `${path}/accept`, {
          user: MEDIATOR,
          key: `${key}-accept`,
          body: { track: 'mediation' },
          untilMs: until(),
        }),
      );
      if (!accepted || this.stopping) continue;
      await this.run('mediation', `${key}-mediation`, registered.caseId, () =>
        this.client.command('POST', `${path}/mediation`, {
          user: MEDIATOR,
          key: `${key}-mediation`,
          body: { type: 'people', mediatorIds: [this.options.mediatorId] },
          untilMs: until(),
        }),
      );
    }
  }

  private async registerCase(
    key: string,
    n: number,
    untilMs: number,
    pausesMs?: readonly number[],
  ): Promise<Ack | undefined> {
    let caseId = '';
    return this.run(
      'register',
      key,
      () => caseId,
      async () => {
        const outcome = await this.client.command('POST', '/api/v1/cases', {
          user: CLERK,
          key,
          body: registrationOf(key, n),
          untilMs,
          ...(pausesMs ? { pausesMs } : {}),
          // A probe attempt that hangs on a system still down must not hide its return.
          ...(pausesMs ? { timeoutMs: 5_000 } : {}),
        });
        if (outcome.status === 201) caseId = (JSON.parse(outcome.body) as { id: string }).id;
        return outcome;
      },
    );
  }

  private async run(
    kind: CommandKind,
    key: string,
    caseId: string | (() => string),
    send: () => Promise<Outcome>,
  ): Promise<Ack | undefined> {
    const outcome = await send();
    // A registration is a new case (201); a 200 would be a repeat linked to another case,
    // which this load never sends: a refusal, reported.
    const acked = kind === 'register' ? outcome.status === 201 : isSuccess(outcome.status);
    if (acked) {
      const ack: Ack = {
        kind,
        key,
        caseId: typeof caseId === 'string' ? caseId : caseId(),
        status: outcome.status,
        attempts: outcome.attempts,
        at: Date.now(),
      };
      this.acks.push(ack);
      return ack;
    }
    if (isRetryable(outcome.status)) {
      this.unanswered.push({ kind, key, status: outcome.status });
    } else {
      this.refusals.push({ kind, key, status: outcome.status, body: outcome.body.slice(0, 300) });
    }
    return undefined;
  }
}
