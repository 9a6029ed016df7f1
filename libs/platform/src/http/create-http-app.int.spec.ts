import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { IllegalStateError, REFUSALS } from '@casegrid/kernel';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Min, ValidateNested } from 'class-validator';
import request from 'supertest';
import { loadConfig } from '../config/load-config';
import { ReadinessRegistry } from '../health/readiness.registry';
import { createHttpApp } from './create-http-app';
import { JsonLogger } from './json.logger';
import { PROBLEM_CONTENT_TYPE } from './problem-details';

// Booting Nest with Swagger takes seconds on a loaded CI machine; Jest ignores a project's
// testTimeout.
jest.setTimeout(30_000);

describe('createHttpApp', () => {
  let app: INestApplication;
  const logLines: string[] = [];
  let brokerUp = true;

  beforeAll(async () => {
    const config = loadConfig({ CASEGRID_ENV: 'test', HTTP_BODY_LIMIT: '2kb' });
    app = await createHttpApp(SampleModule, config, {
      logger: new JsonLogger('info', (line) => logLines.push(line)),
    });
    app.get(ReadinessRegistry).register('broker', async () => {
      if (!brokerUp) throw new Error('broker unreachable');
    });
  });
  afterAll(() => app.close());

  const http = () => request(app.getHttpServer());

  it('answers /health/live while the process runs', async () => {
    await http().get('/health/live').expect(200, { status: 'ok' });
  });

  it('is ready when every registered check passes', async () => {
    brokerUp = true;
    const res = await http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { broker: 'ok' } });
  });

  it('is unready (503) with the failing check and its message', async () => {
    brokerUp = false;
    const res = await http().get('/health/ready').expect(503);
    expect(res.body).toEqual({
      status: 'error',
      checks: { broker: 'error' },
      failures: { broker: 'broker unreachable' },
    });
  });

  it('exposes the HTTP histogram labelled by route pattern after a request', async () => {
    await http().get('/api/v1/samples/42').expect(200);
    const res = await http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/samples\/:id",status="200"\} 1/,
    );
    expect(res.text).not.toContain('/api/v1/samples/42');
  });

  it('serves the OpenAPI document', async () => {
    const res = await http().get('/api/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    // Every refusal a 409 may name is listed, with what it means.
    const schemas = res.body.components.schemas;
    expect(schemas.Problem.properties.code).toEqual({ $ref: '#/components/schemas/Refusal' });
    expect(schemas.Refusal.enum).toEqual(Object.keys(REFUSALS));
    expect(schemas.Refusal.description).toContain(
      `\`petition.review_window_closed\`: ${REFUSALS['petition.review_window_closed']}`,
    );
    expect(Object.keys(res.body.paths)).toContain('/api/v1/samples/{id}');
    await http().get('/api/docs').expect(200).expect('content-type', /html/);
  });

  it('lists every invalid field, with nested paths, as problem+json 400', async () => {
    const res = await http()
      .post('/api/v1/samples')
      .send({ count: 'many', parties: [{ name: '' }, {}], extra: true })
      .expect(400);
    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.body).toMatchObject({
      type: 'https://casegrid.dev/problems/validation_failed',
      status: 400,
    });
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['count', 'extra', 'parties[0].name', 'parties[1].name', 'title']);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await http()
      .post('/api/v1/samples')
      .set('Content-Type', 'application/json')
      .send('{"title": ')
      .expect(400);
    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.body.type).toBe('https://casegrid.dev/problems/malformed_json');
  });

  it('refuses a body over the limit with 413 problem+json, without running the handler', async () => {
    const before = created;
    await http().post('/api/v1/samples').send({ title: 'x', count: 1, parties: [] }).expect(201);
    expect(created).toBe(before + 1);
    const res = await http()
      .post('/api/v1/samples')
      .send({ title: 'x'.repeat(4096), count: 1, parties: [] })
      .expect(413);
    expect(created).toBe(before + 1);
    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.body.type).toBe('https://casegrid.dev/problems/payload_too_large');
    const metrics = await http().get('/metrics');
    expect(metrics.text).toMatch(/route="unrouted",status="413"/);
  });

  it('maps an IllegalStateError to 409 with its reason', async () => {
    const res = await http().post('/api/v1/samples/illegal').expect(409);
    expect(res.body).toMatchObject({
      status: 409,
      detail: 'the case is already closed',
      code: 'supervision.case_closed',
    });
  });

  it('answers an unexpected error with a generic 500 and logs it instead', async () => {
    const res = await http().get('/api/v1/samples/boom').expect(500);
    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.body).toEqual({
      type: 'https://casegrid.dev/problems/internal_error',
      title: 'Internal server error',
      status: 500,
      detail: 'The server could not complete the request. The fault has been logged.',
    });
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, string>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        stack: expect.stringContaining('select password'),
      }),
    );
  });

  it('answers a database error with the generic 500: no SQL, no stack, no personal data', async () => {
    const res = await http().get('/api/v1/samples/query-fails').expect(500);
    expect(res.body).toEqual({
      type: 'https://casegrid.dev/problems/internal_error',
      title: 'Internal server error',
      status: 500,
      detail: 'The server could not complete the request. The fault has been logged.',
    });
    expect(res.text).not.toMatch(/select|persons|110101|at Query|42P01/i);
    // The log keeps the stack for us, with the identity number in it masked.
    const logged = logLines.filter((line) => line.includes('42P01 in select'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('at Query.handleError');
    expect(logged[0]).not.toContain('110101199003071234');
  });

  it.each(['/api/v1/nowhere', '/nowhere', '/health/nowhere'])(
    'answers the unknown route %s with 404 problem+json',
    async (path) => {
      const res = await http().get(path).expect(404);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(res.body.type).toBe('https://casegrid.dev/problems/not_found');
    },
  );

  it('writes one JSON object per log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(JSON.parse(line)).toEqual(
        expect.objectContaining({ level: expect.any(String), time: expect.any(String) }),
      );
    }
  });
});

class PartyDto {
  @IsString()
  @IsNotEmpty()
  name!: string;
}

class CreateSampleDto {
  @IsString()
  @IsNotEmpty()
  title!: string;

  @IsInt()
  @Min(1)
  count!: number;

  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties!: PartyDto[];
}

@Injectable()
class SampleService {
  failUnexpectedly(): never {
    throw new Error('relation "users" does not exist: select password from users');
  }

  /** What node-postgres throws: a message, a code, and the query's text in the stack. */
  failInDatabase(): never {
    const sql = "select name, phone from persons where id_number = '110101199003071234'";
    const error = Object.assign(new Error(`42P01 in ${sql}`), {
      code: '42P01',
      severity: 'ERROR',
      position: '19',
      routine: 'parserOpenTable',
    });
    error.stack = `error: 42P01 in ${sql}\n    at Query.handleError (pg/lib/query.js:1:1)`;
    throw error;
  }
}

let created = 0;

@Controller('samples')
class SampleController {
  constructor(private readonly samples: SampleService) {}

  @Get('boom')
  boom(): never {
    return this.samples.failUnexpectedly();
  }

  @Get('query-fails')
  queryFails(): never {
    return this.samples.failInDatabase();
  }

  @Get(':id')
  get(): { ok: true } {
    return { ok: true };
  }

  @Post()
  create(@Body() body: CreateSampleDto): { title: string } {
    created += 1;
    return { title: body.title };
  }

  @Post('illegal')
  illegal(): never {
    throw new IllegalStateError('the case is already closed', 'supervision.case_closed');
  }
}

@Module({ controllers: [SampleController], providers: [SampleService] })
class SampleModule {}
