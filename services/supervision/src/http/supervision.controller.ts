import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { Idempotency, IfMatch, type IdempotencyOf } from '@casegrid/platform';
import { LedgerQueries } from '../ledger/ledger.queries';
import { NoticesQueries } from '../ledger/notices.queries';
import { SupervisionCommands } from './supervision-commands.service';
import {
  CloseDto,
  FollowUpDto,
  LedgerQueryDto,
  NoticeQueryDto,
  ReopenDto,
  SupervisionOrderDto,
} from './supervision.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('supervision')
@ApiBearerAuth()
@Controller()
export class SupervisionController {
  constructor(
    private readonly commands: SupervisionCommands,
    private readonly ledger: LedgerQueries,
    private readonly notices: NoticesQueries,
  ) {}

  @Get('cases')
  @ApiOperation({
    summary: 'The ledger (台账): cases in your jurisdiction, filtered, cursor-paged.',
  })
  list(@Caller() caller: Principal, @Query() query: LedgerQueryDto) {
    return this.ledger.list(caller, query);
  }

  @Get('cases/:id')
  @ApiOperation({ summary: 'A case as the ledger sees it, with its deadlines and their basis.' })
  get(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.ledger.get(caller, id);
  }

  @Post('cases/:id/supervision-orders')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a supervision order (挂牌督办) with its own due date and clock.',
  })
  issueOrder(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: SupervisionOrderDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.issueOrder(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/follow-ups')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record a follow-up visit (回访); an unsatisfied one reopens the case.',
  })
  followUp(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: FollowUpDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.recordFollowUp(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close the case off the ledger (销号): only after an outcome and a follow-up.',
  })
  close(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: CloseDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.close(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/reopen')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reopen a case with an outcome, or a closed one; handling starts again.',
  })
  reopen(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: ReopenDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.reopen(caller, id, body, idempotency, ifMatch);
  }

  @Get('notices')
  @ApiOperation({ summary: 'Notices (通报) issued at the top of the escalation ladder.' })
  listNotices(@Caller() caller: Principal, @Query() query: NoticeQueryDto) {
    return this.notices.list(caller, query);
  }
}
