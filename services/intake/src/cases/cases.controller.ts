import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { DispatchDto, ErasureDto, RegisterCaseDto, RevealDto } from './cases.dto';
import { DispatchService } from './dispatch.service';
import { PartiesService } from './parties.service';
import { RegistrationService } from './registration.service';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('intake')
@ApiBearerAuth()
@Controller()
export class CasesController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly parties: PartiesService,
    private readonly dispatching: DispatchService,
  ) {}

  @Post('cases')
  @ApiOperation({ summary: 'Register a case (parties are encrypted before anything is stored).' })
  register(@Caller() caller: Principal, @Body() body: RegisterCaseDto) {
    return this.registration.register(caller, body);
  }

  @Post('cases/:id/dispatch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dispatch by hand to a lead department and co-handlers (分流).' })
  dispatch(@Caller() caller: Principal, @Param('id', uuid) id: string, @Body() body: DispatchDto) {
    return this.dispatching.dispatch(caller, id, body);
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
  ) {
    return this.parties.erase(caller, personId, body.reason);
  }
}
