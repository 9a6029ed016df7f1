import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  type PipeTransform,
} from '@nestjs/common';
import { ValidationError } from '@casegrid/kernel';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { Idempotency, IfMatch, type IdempotencyOf } from '@casegrid/platform';
import { LedgerQueries } from '../ledger/ledger.queries';
import { NoticesQueries } from '../ledger/notices.queries';
import { SupervisionCommands } from './supervision-commands.service';
import {
  DeadlineExtensionDto,
  DeadlinePauseDto,
  CloseDto,
  FollowUpDto,
  LedgerQueryDto,
  NoticeQueryDto,
  ReopenDto,
  SupervisionOrderDto,
} from './supervision.dto';

const uuid = new ParseUUIDPipe({ version: undefined });
class ParseClockIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^c[1-9][0-9]{0,5}$/.test(value)) {
      throw new ValidationError([{ field: 'clockId', message: 'must be a clock id such as c1' }]);
    }
    return value;
  }
}

/** A clock of the case (`c1`, `c2`, … as `deadlines[].clockId` shows them). */
const clockId = new ParseClockIdPipe();

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

  @Post('cases/:id/deadlines/:clockId/pause')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pause a clock (中止) with its reason and approver; time paused is added back.',
  })
  pauseDeadline(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Param('clockId', clockId) clock: string,
    @Body() body: DeadlinePauseDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.pauseDeadline(caller, id, clock, body, idempotency, ifMatch);
  }

  @Post('cases/:id/deadlines/:clockId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused clock; its due time moves by the time paused.' })
  resumeDeadline(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Param('clockId', clockId) clock: string,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.resumeDeadline(caller, id, clock, idempotency, ifMatch);
  }

  @Post('cases/:id/deadlines/:clockId/extension')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend a clock (延期) within its policy, with the approver named.' })
  extendDeadline(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Param('clockId', clockId) clock: string,
    @Body() body: DeadlineExtensionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.extendDeadline(caller, id, clock, body, idempotency, ifMatch);
  }

  @Get('notices')
  @ApiOperation({ summary: 'Notices (通报) issued at the top of the escalation ladder.' })
  listNotices(@Caller() caller: Principal, @Query() query: NoticeQueryDto) {
    return this.notices.list(caller, query);
  }
}
