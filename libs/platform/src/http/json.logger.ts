import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { LOG_LEVELS, type CasegridLogLevel } from '../config/casegrid.config';
import { activeTraceIds } from '../tracing/tracing';
import { redactingReplacer } from './log-redaction';

export type LogWriter = (line: string) => void;

const NEST_TO_OURS: Readonly<Record<NestLogLevel, CasegridLogLevel>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'verbose',
};

/**
 * One JSON object per line — `{level, time, context, msg}`, `trace_id` and `span_id` inside a
 * request or message, plus `stack` or `data` — so that
 * log shippers need no parsing rules. Nest passes the context as the last string argument
 * and, for errors, the stack before it; this follows that convention. Every line is
 * redacted (log-redaction.ts): personal data and tokens never reach the log.
 */
export class JsonLogger implements LoggerService {
  private enabled: ReadonlySet<CasegridLogLevel>;

  constructor(
    level: CasegridLogLevel = 'info',
    private readonly write: LogWriter = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.enabled = new Set(LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.emit('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.emit('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.emit('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.emit('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.emit('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.emit('fatal', message, params);
  }

  setLogLevels(levels: NestLogLevel[]): void {
    this.enabled = new Set(levels.map((l) => NEST_TO_OURS[l]));
  }

  private emit(level: CasegridLogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const rest = params.filter((p) => p !== undefined);
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const isFault = level === 'error' || level === 'fatal';
    let stack = isFault && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    let msg: string;
    let data: unknown;
    if (message instanceof Error) {
      msg = message.message;
      stack ??= message.stack;
    } else if (typeof message === 'string') {
      msg = message;
    } else {
      msg = '';
      data = message;
    }
    if (rest.length > 0) data = data === undefined ? rest : [data, ...rest];
    // The trace and span ids correlate the line with its request or message (tracing.ts).
    const ids = activeTraceIds();
    const entry = {
      level,
      time: new Date().toISOString(),
      context,
      msg,
      ...(ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {}),
      stack,
      data,
    };
    this.write(stringify(entry));
  }
}

function stringify(entry: object): string {
  try {
    return JSON.stringify(entry, redactingReplacer);
  } catch {
    // A circular or BigInt payload must not lose the line itself.
    const { level, time, context, msg } = entry as Record<string, unknown>;
    return JSON.stringify(
      { level, time, context, msg, data: '[unserialisable]' },
      redactingReplacer,
    );
  }
}
