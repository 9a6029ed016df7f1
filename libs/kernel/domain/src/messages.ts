/**
 * Messages are plain readonly discriminated unions `{ type, data, metadata }`
 * (STYLE.md): events in the past tense, commands in the imperative. They serialise,
 * replay and upcast without ceremony.
 */
export interface Message<Type extends string = string, Data = unknown, Meta = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: Meta;
}

/** Who caused a message, and why: carried from the HTTP request to every consumer. */
export interface MessageContext {
  /** User id (or `system:<service>` for automatic effects). */
  readonly actor: string;
  /** The acting user's department id, when there is one. */
  readonly department?: string;
  readonly correlationId: string;
  /** Id of the message that caused this one. */
  readonly causationId?: string;
  /** W3C trace context, when tracing is on. */
  readonly traceparent?: string;
}

/** Command metadata: time and context are inputs to the domain, never read from globals. */
export interface CommandMetadata extends MessageContext {
  readonly now: Date;
}

export type Command<Type extends string = string, Data = unknown> = Message<
  Type,
  Data,
  CommandMetadata
>;

export type Event<Type extends string = string, Data = unknown> = Message<
  Type,
  Data,
  EventMetadata
>;

export interface EventMetadata extends MessageContext {
  /** When the fact happened in the domain (the command's `now`). */
  readonly occurredAt: string;
}
