import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import { Idempotency, IfMatch, type IdempotencyOf } from '@casegrid/platform';
import type { Principal } from '@casegrid/identity';
import { CaseCommands } from './case-commands.service';
import {
  AcceptDto,
  DispatchDto,
  ErasureDto,
  ReasonDto,
  RegisterCaseDto,
  ResolveDto,
  RevealDto,
  TransferDto,
} from './cases.dto';
import { PartiesService } from './parties.service';
import { RegistrationService } from './registration.service';

const uuid = new ParseUUIDPipe({ version: undefined });

interface StatusSetter {
  status(code: number): unknown;
}

@ApiTags('intake')
@ApiBearerAuth()
@Controller()
export class CasesController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly parties: PartiesService,
    private readonly commands: CaseCommands,
  ) {}

  @Post('cases')
  @ApiOperation({ summary: 'Register a case (parties are encrypted before anything is stored).' })
  async register(
    @Caller() caller: Principal,
    @Body() body: RegisterCaseDto,
    @Idempotency() idempotency: IdempotencyOf,
    @Res({ passthrough: true }) response: StatusSetter,
  ) {
    const registration = await this.registration.register(caller, body, idempotency);
    // A submission linked to an open case creates nothing new: 200, not 201 (API.md).
    if (registration.repeat) response.status(200);
    return registration;
  }

  @Post('cases/:id/dispatch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dispatch by hand to a lead department and co-handlers (分流).' })
  dispatch(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: DispatchDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.dispatch(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'The lead department signs for the case (签收) and picks its track.' })
  accept(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: AcceptDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.accept(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/return')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The lead department returns it before accepting (退单), with the reason.',
  })
  giveBack(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: ReasonDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.giveBack(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/transfer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand the case to another department (移交); it must accept in turn.' })
  transfer(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: TransferDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.transfer(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/escalate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move handling to the covering department one tier up (上报).' })
  escalate(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: ReasonDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.escalate(caller, id, body, idempotency, ifMatch);
  }

  @Post('cases/:id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'The outcome of the direct track: resolved, or referred (诉调对接).' })
  resolve(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: ResolveDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.resolve(caller, id, body, idempotency, ifMatch);
  }

  @Get('cases/:id/parties')
  @ApiOperation({ summary: 'The parties, personal fields masked (张*三, 138****5678).' })
  masked(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.parties.masked(caller, id);
  }

  @Post('cases/:id/parties/reveal')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Personal fields in clear, for roles that need them; every reveal is recorded.',
  })
  reveal(@Caller() caller: Principal, @Param('id', uuid) id: string, @Body() body: RevealDto) {
    return this.parties.reveal(caller, id, body);
  }

  @Get('cases/:id/personal-data/reveals')
  @ApiOperation({
    summary: 'Who saw which personal fields of this case, when and why (inspectors, supervisors).',
  })
  reveals(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.parties.accessLog(caller, id);
  }

  @Post('persons/:personId/erasure')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase a person: their key is destroyed, every copy of their data unreadable.',
  })
  erase(
    @Caller() caller: Principal,
    @Param('personId', uuid) personId: string,
    @Body() body: ErasureDto,
    @Idempotency() idempotency: IdempotencyOf,
  ) {
    return this.parties.erase(caller, personId, body.reason, idempotency);
  }
}
