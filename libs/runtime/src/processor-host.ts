import {
  EventProcessor,
  type ErrorClass,
  type EventHandler,
  type ProcessorObserver,
  type ProcessorOptions,
  type ProcessorStatus,
  type Transport,
} from '@casegrid/messaging';

type Log = (message: string, error?: unknown) => void;

/**
 * The event processors of one process: one per handler (the services' own, found among
 * their Nest providers, and each service's reference replica). Started together once the
 * process is up, stopped together before the relays and pools close.
 */
export class ProcessorHost {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly processors = new Map<string, EventProcessor>();
  private readonly observers: ProcessorObserver[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly log: Log,
    private readonly options: Omit<ProcessorOptions, 'observer'> = {},
  ) {}

  /** A handler to run; one per consumer group in a process. */
  add(handler: EventHandler): void {
    const known = this.handlers.get(handler.group);
    if (known === handler) return;
    if (known) throw new Error(`two event handlers for consumer group ${handler.group}`);
    this.handlers.set(handler.group, handler);
  }

  /** Sees every processor's batches, parked messages and errors (metrics). */
  observe(observer: ProcessorObserver): void {
    this.observers.push(observer);
  }

  /**
   * Starts every processor at once (on Kafka each joins its group; joining one after the
   * other paid the broker's join delay a dozen times). Resolves when each has made its
   * first attempt: a group that could not subscribe goes on trying and says so.
   */
  async start(): Promise<void> {
    for (const handler of this.handlers.values()) {
      if (this.processors.has(handler.group)) continue;
      this.processors.set(
        handler.group,
        new EventProcessor(handler, this.transport, { ...this.options, observer: this.fanOut() }),
      );
    }
    await Promise.all([...this.processors.values()].map((p) => p.start()));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.processors.values()].map((p) => p.stop()));
  }

  get(group: string): EventProcessor | undefined {
    return this.processors.get(group);
  }

  all(): EventProcessor[] {
    return [...this.processors.values()];
  }

  statuses(): ProcessorStatus[] {
    return [...this.processors.values()].map((p) => p.status());
  }

  private fanOut(): ProcessorObserver {
    const observers = this.observers;
    const log = this.log;
    return {
      batch: (group, result, seconds) =>
        observers.forEach((o) => o.batch?.(group, result, seconds)),
      parked: (group, message, error) => {
        log(
          `consumer ${group} parked ${message.topic}/${message.partition}@${message.offset}`,
          error,
        );
        observers.forEach((o) => o.parked?.(group, message, error));
      },
      error: (group: string, error: unknown, errorClass: ErrorClass, where: string) => {
        log(`consumer ${where} failed (${errorClass})`, error);
        observers.forEach((o) => o.error?.(group, error, errorClass, where));
      },
    };
  }
}
