import { versionFromIfMatch } from '@casegrid/platform';
import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, assertAllowed } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import type { RoutingRule } from '@casegrid/intake';
import { NotFoundError, uuidv7, ValidationError, type FieldError } from '@casegrid/kernel';
import { Idempotency, type IdempotencyOf } from '@casegrid/platform';
import { changedBy } from '@casegrid/runtime';
import { PageQueryDto } from '../identity/identity.dto';
import { OrganisationRepository, decodeCursor } from '../identity/organisation.repository';
import { RoutingRuleDto } from './routing-rules.dto';
import { RoutingRulesRepository, type RoutingRuleFields } from './routing-rules.repository';

const uuid = new ParseUUIDPipe({ version: undefined });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The routing table (API.md, Reference data): reads for every signed-in user, writes for
 * admins. A save that would leave two rules equally specific for some case is a 409.
 */
@ApiTags('reference data')
@ApiBearerAuth()
@Controller('routing-rules')
export class RoutingRulesController {
  constructor(
    private readonly rules: RoutingRulesRepository,
    private readonly organisation: OrganisationRepository,
  ) {}

  @Get()
  async list(@Caller() caller: Principal, @Query() query: PageQueryDto) {
    assertAllowed(caller, 'reference.read');
    return this.rules.page(query.limit ?? 50, ruleCursor(query.cursor));
  }

  @Get(':id')
  async one(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    assertAllowed(caller, 'reference.read');
    const rule = await this.rules.get(id);
    if (rule === undefined) throw new NotFoundError(`routing rule ${id} not found`);
    return rule;
  }

  @Post()
  @ApiOperation({ summary: 'Add a rule; 409 when another rule covers exactly the same cases.' })
  async add(
    @Caller() caller: Principal,
    @Body() body: RoutingRuleDto,
    @Idempotency() idempotency: IdempotencyOf,
  ) {
    assertAllowed(caller, 'reference.write');
    await this.assertRegionExists(body);
    const rule: RoutingRule = { id: uuidv7(), ...fieldsOf(body) };
    return this.rules.insert(rule, body.note ?? null, changedBy(caller), {
      ...idempotency,
      scope: caller.userId,
    });
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a rule; If-Match: <version> makes it conditional (412).' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version last read.' })
  async replace(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: RoutingRuleDto,
    @Headers('if-match') ifMatch?: string,
  ) {
    assertAllowed(caller, 'reference.write');
    const expectedVersion = parseIfMatch(ifMatch);
    await this.assertRegionExists(body);
    return this.rules.replace(
      id,
      fieldsOf(body),
      body.note ?? null,
      changedBy(caller),
      expectedVersion,
    );
  }

  private async assertRegionExists(body: RoutingRuleDto): Promise<void> {
    if (body.regionCode && !(await this.organisation.region(body.regionCode))) {
      throw new ValidationError([{ field: 'regionCode', message: 'no such region' }]);
    }
  }
}

/** Absent criteria are null (match anything); absent co-handlers are none. */
const fieldsOf = (body: RoutingRuleDto): RoutingRuleFields => ({
  category: body.category ?? null,
  regionCode: body.regionCode ?? null,
  kind: body.kind ?? null,
  severity: body.severity ?? null,
  leadDepartmentType: body.leadDepartmentType,
  coDepartmentTypes: body.coDepartmentTypes ?? [],
  tier: body.tier ?? null,
});

const IF_MATCH_ERROR: FieldError = {
  field: 'If-Match',
  message: 'must be the version of the rule last read, e.g. "3"',
};

function parseIfMatch(header: string | undefined): number | undefined {
  const version = versionFromIfMatch(header);
  if (version === 'malformed') throw new ValidationError([IF_MATCH_ERROR]);
  return version;
}

/** Cursors are the base64url of the last id; anything else is a client's mistake, not a 500. */
function ruleCursor(cursor: string | undefined): string | undefined {
  const after = decodeCursor(cursor);
  if (after !== undefined && !UUID.test(after)) {
    throw new ValidationError([{ field: 'cursor', message: 'not a cursor of this list' }]);
  }
  return after;
}
