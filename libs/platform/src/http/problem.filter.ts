import {
  Catch,
  Logger,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
  type HttpServer,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, toProblem, type ProblemDetails } from './problem-details';

/**
 * The global exception filter: every error that leaves an HTTP handler, a guard, a pipe or
 * the body parser is answered as `application/problem+json`. Unexpected errors are logged
 * with their stack and answered with a generic 500: no stack, SQL or internal message ever
 * reaches the client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  constructor(private readonly http: HttpServer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<IncomingMessage>();
    const response: unknown = context.getResponse();
    const { problem, unexpected, headers } = toProblem(exception, {
      ifMatch: request.headers['if-match'] !== undefined,
    });
    if (unexpected) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(`${request.method ?? '?'} ${pathOf(request)} failed`, stack);
    }
    sendProblem(this.http, response, problem, headers);
  }
}

export function sendProblem(
  http: HttpServer,
  response: unknown,
  problem: ProblemDetails,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (http.isHeadersSent(response)) {
    // A streamed response broke half-way: the status line is gone, all we can do is end it.
    http.end(response);
    return;
  }
  for (const [name, value] of Object.entries(headers)) http.setHeader(response, name, value);
  http.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
  http.reply(response, problem, problem.status);
}

/**
 * Nest answers unknown paths under the global prefix itself; this answers those outside it
 * (where Express would send an HTML page). Install it after everything else.
 */
export function unknownRouteHandler(http: HttpServer) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const error = new NotFoundException(`Cannot ${request.method ?? 'GET'} ${pathOf(request)}`);
    sendProblem(http, response, toProblem(error, { ifMatch: false }).problem);
  };
}

// The query string may carry personal data (names, phone numbers): log the path only.
const pathOf = (request: IncomingMessage): string => (request.url ?? '').split('?')[0] ?? '';
