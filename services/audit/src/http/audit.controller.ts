import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { AuditQueries } from './audit.queries';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly queries: AuditQueries) {}

  @Get('cases/:id/events')
  @ApiOperation({
    summary: "The case's canonical stream: position, CloudEvent, prevHash and hash (inspectors).",
  })
  events(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.queries.events(caller, id);
  }

  @Get('cases/:id/verify')
  @ApiOperation({
    summary: "Recomputes the case's hash chain: {valid, events, firstBadPosition?, fault?}.",
  })
  verify(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.queries.verify(caller, id);
  }

  @Get('cases/:id/state')
  @ApiQuery({ name: 'at', required: false, description: 'RFC 3339 with offset; default now' })
  @ApiOperation({
    summary: 'The ledger view of the case as it stood at `at`, folded from the stream.',
  })
  state(@Caller() caller: Principal, @Param('id', uuid) id: string, @Query('at') at?: string) {
    return this.queries.stateAt(caller, id, at);
  }

  @Get('cases/:id/responsibility')
  @ApiOperation({
    summary: '责任倒查: for every breach, the obligation, due time, article and who held the case.',
  })
  responsibility(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.queries.responsibility(caller, id);
  }

  @Get('export')
  @ApiProduces('application/x-ndjson')
  @ApiQuery({ name: 'from', required: false, description: 'recorded at or after (RFC 3339)' })
  @ApiQuery({ name: 'to', required: false, description: 'recorded before (RFC 3339)' })
  @ApiOperation({
    summary:
      'The log of a period in your territory as NDJSON with hashes, streamed; verify offline with tools/audit/verify-export.mjs.',
  })
  async export(
    @Caller() caller: Principal,
    @Res() response: ServerResponse,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<void> {
    const lines = this.queries.export(caller, from, to);
    response.statusCode = 200;
    response.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    try {
      for await (const line of lines) {
        // Respect backpressure: a slow auditor's connection does not fill memory.
        if (!response.write(line)) await new Promise((resolve) => response.once('drain', resolve));
      }
    } catch (error) {
      // Headers are gone: the only honest signal left is a broken stream.
      response.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    response.end();
  }
}
