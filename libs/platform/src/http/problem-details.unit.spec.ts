import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ConcurrencyError,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  ValidationError,
} from '@casegrid/kernel';
import { Type, plainToInstance } from 'class-transformer';
import { IsNotEmpty, IsString, ValidateNested, validate } from 'class-validator';
import { TooManyRequestsError } from '../security/rate-limiter';
import { toProblem, type ProblemDetails } from './problem-details';
import { MAX_FIELD_ERRORS, toFieldErrors } from './validation.pipe';

const plain = { ifMatch: false };
const conditional = { ifMatch: true };
const problemOf = (error: unknown, context = plain): ProblemDetails =>
  toProblem(error, context).problem;
const typeOf = (code: string): string => `https://casegrid.dev/problems/${code}`;
const FAULT_DETAIL = 'The server could not complete the request. The fault has been logged.';

describe('toProblem', () => {
  describe('domain errors', () => {
    it('lists every field of a ValidationError as 400', () => {
      const errors = [
        { field: 'title', message: 'title should not be empty' },
        { field: 'parties[0].name', message: 'name must be a string' },
      ];
      expect(problemOf(new ValidationError(errors))).toEqual({
        type: typeOf('validation_failed'),
        title: 'Invalid request',
        status: 400,
        detail: '2 field(s) of the request are invalid.',
        errors,
      });
    });

    it.each([
      [new NotFoundError('case 0190 not found'), 404, 'not_found'],
      [new ForbiddenError('only mediators may record an agreement'), 403, 'forbidden'],
      [new ConcurrencyError('case-1', 3, 4), 409, 'concurrency_conflict'],
    ])('maps %p to %i, saying why', (error, status, code) => {
      const { problem, unexpected } = toProblem(error, plain);
      expect(problem).toEqual({
        type: typeOf(code),
        title: expect.any(String),
        status,
        detail: error.message,
      });
      expect(unexpected).toBe(false);
    });

    it('names the rule of a refusal in `code`, beside the reason in words', () => {
      const refused = new IllegalStateError(
        'a closed case cannot be dispatched',
        'supervision.case_closed',
      );
      expect(toProblem(refused, plain)).toEqual({
        problem: {
          type: typeOf('illegal_state'),
          title: 'Not allowed in the current state',
          status: 409,
          detail: 'a closed case cannot be dispatched',
          code: 'supervision.case_closed',
        },
        unexpected: false,
      });
    });

    it('makes a version conflict a failed precondition (412) when the request had If-Match', () => {
      const problem = problemOf(new ConcurrencyError('case-1', 3, 4), conditional);
      expect(problem).toMatchObject({ type: typeOf('precondition_failed'), status: 412 });
    });

    it('does not take a pg or system error, which also has a string code, for a domain error', () => {
      const pgError = Object.assign(new Error('duplicate key value violates "events_pkey"'), {
        code: '23505',
      });
      const { problem, unexpected } = toProblem(pgError, plain);
      expect(problem.status).toBe(500);
      expect(problem.detail).not.toContain('events_pkey');
      expect(unexpected).toBe(true);
    });
  });

  describe('HTTP exceptions', () => {
    it.each([
      [new UnauthorizedException('token expired'), 401, 'unauthorized', 'token expired'],
      [new NotFoundException('Cannot GET /x'), 404, 'not_found', 'Cannot GET /x'],
      [new BadRequestException(['a is bad', 'b is bad']), 400, 'bad_request', 'a is bad; b is bad'],
      [new HttpException('slow down', 429), 429, 'too_many_requests', 'slow down'],
      [new HttpException('teapot', 418), 418, 'http_418', 'teapot'],
    ])('keeps the status of %p', (error, status, code, detail) => {
      expect(problemOf(error)).toMatchObject({ type: typeOf(code), status, detail });
    });

    it('answers malformed JSON (a body-parser SyntaxError) as 400 malformed_json', () => {
      const cause = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
        status: 400,
        type: 'entity.parse.failed',
      });
      const problem = problemOf(new BadRequestException(cause.message, { cause }));
      expect(problem).toMatchObject({ type: typeOf('malformed_json'), status: 400 });
      expect(problem.detail).not.toContain('Unexpected');
    });

    it('answers a body over the limit as 413, mapped or raw', () => {
      const raw = Object.assign(new Error('request entity too large'), {
        status: 413,
        expose: true,
        type: 'entity.too.large',
      });
      expect(problemOf(new PayloadTooLargeException())).toMatchObject({ status: 413 });
      expect(problemOf(raw)).toMatchObject({ type: typeOf('payload_too_large'), status: 413 });
    });

    it('keeps the status of a 5xx HttpException but hides its message', () => {
      const error = new ServiceUnavailableException('pool exhausted at db:5432');
      const { problem, unexpected } = toProblem(error, plain);
      expect(problem).toEqual({
        type: typeOf('service_unavailable'),
        title: 'Service Unavailable',
        status: 503,
        detail: FAULT_DETAIL,
      });
      expect(unexpected).toBe(true);
    });
  });

  describe('rate limits', () => {
    it('answers TooManyRequestsError as 429 with Retry-After in whole seconds', () => {
      const mapped = toProblem(new TooManyRequestsError(42), plain);
      expect(mapped).toEqual({
        problem: {
          type: typeOf('too_many_requests'),
          title: 'Too many requests',
          status: 429,
          detail: 'Too many requests; retry later.',
        },
        unexpected: false,
        headers: { 'Retry-After': '42' },
      });
    });

    it.each([
      [0, '1'],
      [0.2, '1'],
      [59.01, '60'],
      [Number.NaN, '1'],
    ])('never tells a client to retry at once: %p seconds → %s', (seconds, header) => {
      expect(toProblem(new TooManyRequestsError(seconds), plain).headers).toEqual({
        'Retry-After': header,
      });
    });
  });

  it.each([new TypeError("Cannot read properties of undefined (reading 'id')"), 'text', undefined])(
    'answers anything else (%p) with a generic 500',
    (error) => {
      const { problem, unexpected } = toProblem(error, plain);
      expect(problem).toEqual({
        type: typeOf('internal_error'),
        title: 'Internal server error',
        status: 500,
        detail: FAULT_DETAIL,
      });
      expect(unexpected).toBe(true);
    },
  );
});

describe('toFieldErrors', () => {
  class Party {
    @IsString()
    @IsNotEmpty()
    name!: string;
  }
  class Case {
    @IsString()
    title!: string;

    @ValidateNested({ each: true })
    @Type(() => Party)
    parties!: Party[];

    @ValidateNested()
    @Type(() => Party)
    reporter!: Party;
  }

  const fieldErrorsOf = async (body: object) =>
    toFieldErrors(
      await validate(plainToInstance(Case, body), { validationError: { value: true } }),
    );

  it('gives one entry per field, with array indexes and nested paths', async () => {
    const errors = await fieldErrorsOf({ parties: [{ name: 'Li' }, { name: '' }], reporter: {} });
    expect(errors.map((e) => e.field)).toEqual(['title', 'parties[1].name', 'reporter.name']);
    expect(errors[2]?.message).toBe('name should not be empty; name must be a string');
  });

  it(`keeps the first ${MAX_FIELD_ERRORS} errors of a hostile body and summarises the rest`, async () => {
    const parties = Array.from({ length: 150 }, () => ({ name: 1 }));
    const errors = await fieldErrorsOf({ title: 't', parties, reporter: { name: 'x' } });
    expect(errors).toHaveLength(MAX_FIELD_ERRORS + 1);
    expect(errors.at(-1)).toEqual({ field: '*', message: '50 more error(s) left out' });
  });
});
