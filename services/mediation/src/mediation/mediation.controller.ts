import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { Idempotency, IfMatch, type IdempotencyOf } from '@casegrid/platform';
import { MediationCommands } from './mediation-commands.service';
import {
  AgreementDto,
  EscalationDto,
  FailureDto,
  JudicialConfirmationDto,
  JudicialDecisionDto,
  OpenMediationDto,
  SessionDto,
} from './mediation.dto';
import { MediationStore } from './mediation.store';
import { mediationView } from './mediation.view';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('mediation')
@ApiBearerAuth()
@Controller('cases/:id/mediation')
export class MediationController {
  constructor(
    private readonly commands: MediationCommands,
    private readonly store: MediationStore,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Open the mediation of a case accepted on the mediation track, naming its mediators.',
  })
  open(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: OpenMediationDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.open(caller, id, body, { idempotency, ifMatch });
  }

  @Post('sessions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a mediation session: when, where, who attended, notes.' })
  session(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: SessionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.session(caller, id, body, { idempotency, ifMatch });
  }

  @Post('agreement')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record the signed agreement (调解协议): the case is resolved; only after a session.',
  })
  agreement(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: AgreementDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.agreement(caller, id, body, { idempotency, ifMatch });
  }

  @Post('failure')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Record that mediation failed (终止调解) and where the parties are referred (诉调对接).',
  })
  failure(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: FailureDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.failure(caller, id, body, { idempotency, ifMatch });
  }

  @Post('judicial-confirmation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record the joint application for 司法确认, within 30 days of the agreement (Art 33).',
  })
  requestConfirmation(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: JudicialConfirmationDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.requestConfirmation(caller, id, body, { idempotency, ifMatch });
  }

  @Post('judicial-confirmation/decision')
  @HttpCode(200)
  @ApiOperation({ summary: "Record the court's decision on judicial confirmation." })
  recordDecision(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: JudicialDecisionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.recordDecision(caller, id, body, { idempotency, ifMatch });
  }

  @Post('escalation')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send a dispute that cannot be settled at this tier to the mediation body one tier up.',
  })
  escalate(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: EscalationDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.escalate(caller, id, body, { idempotency, ifMatch });
  }

  @Get()
  @ApiOperation({ summary: 'The mediation file: sessions, agreement, confirmation, failure.' })
  async view(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    const { file, version } = await this.store.read(caller, id);
    return mediationView(id, file, version);
  }
}
