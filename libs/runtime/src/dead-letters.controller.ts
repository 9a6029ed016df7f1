import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { IsOptional, IsString, Length } from 'class-validator';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { assertAllowed, Caller } from '@casegrid/auth';
import { isServiceName } from '@casegrid/contracts';
import type { Principal } from '@casegrid/identity';
import { IllegalStateError, NotFoundError } from '@casegrid/kernel';
import type { EventProcessor, ParkedCase, ParkedEvent } from '@casegrid/messaging';
import type { Infrastructure } from './infrastructure';
import { INFRASTRUCTURE } from './runtime-tokens';

export class ReplayDto {
  @ApiPropertyOptional({ description: 'The id of a failed event to drop instead of applying.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  skip?: string;
}

interface GroupParked {
  readonly group: string;
  readonly cases: readonly ParkedCase[];
}

/**
 * What the consumer groups of a service parked, and replaying a case once its cause is
 * fixed (processor/parking.ts): `npm run dlq` is a client of these. Per service in the
 * path, so the gateway sends each to the service that runs the groups; admins only.
 */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin/dead-letters/:service')
export class DeadLettersController {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  @Get()
  @ApiOperation({ summary: 'Cases with parked events, per consumer group of the service.' })
  async list(
    @Caller() caller: Principal,
    @Param('service') service: string,
  ): Promise<GroupParked[]> {
    assertAllowed(caller, 'operations.dead_letters');
    return Promise.all(
      this.groupsOf(service).map(async (p) => ({ group: p.group, cases: await p.parkedCases() })),
    );
  }

  @Get('cases/:caseId')
  @ApiOperation({ summary: 'A case’s parked events in order, the failed one first, per group.' })
  async show(
    @Caller() caller: Principal,
    @Param('service') service: string,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
  ): Promise<{ group: string; events: ParkedEvent[] }[]> {
    assertAllowed(caller, 'operations.dead_letters');
    const groups = await Promise.all(
      this.groupsOf(service).map(async (p) => ({
        group: p.group,
        events: await p.parkedEvents(caseId),
      })),
    );
    return groups.filter((g) => g.events.length > 0);
  }

  @Post('cases/:caseId/replay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Applies a case’s parked events in order in every group of the service; 409 with the handler’s error when one still fails (nothing is applied then). `skip` drops the failed event with that id (a message that can never be applied; its dead letter stays in the DLQ topic) and applies those held behind it.',
  })
  async replay(
    @Caller() caller: Principal,
    @Param('service') service: string,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body() body: ReplayDto,
  ): Promise<{ group: string; replayed: number; skipped: number }[]> {
    assertAllowed(caller, 'operations.dead_letters');
    const out: { group: string; replayed: number; skipped: number }[] = [];
    for (const processor of this.groupsOf(service)) {
      try {
        const result = await processor.replay(caseId, body.skip ? { skip: body.skip } : {});
        if (result.replayed + result.skipped > 0) out.push({ group: processor.group, ...result });
      } catch (error) {
        // The round rolled back: the case stays parked, as it was.
        throw new IllegalStateError(
          `case ${caseId} still fails in ${processor.group}, nothing of it was applied: ${
            error instanceof Error ? error.message : String(error)
          }`,
          'replay.still_failing',
        );
      }
    }
    return out;
  }

  private groupsOf(service: string): EventProcessor[] {
    const processors = isServiceName(service)
      ? this.infra.processors.all().filter((p) => p.handler.schema === service)
      : [];
    if (processors.length === 0) throw new NotFoundError(`no consumer groups of ${service} here`);
    return processors;
  }
}
