import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { Idempotency, IfMatch, type IdempotencyOf } from '@casegrid/platform';
import { PetitionCommands } from './petition-commands.service';
import {
  AcceptanceDto,
  DecisionDto,
  ExtensionDto,
  HearingDto,
  HearingEndDto,
  OpinionDto,
  RequestDto,
  TerminationDto,
} from './petition.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

/** API.md, Petition: the petition file of a case accepted on the petition track. */
@ApiTags('petition')
@ApiBearerAuth()
@Controller('cases/:id/petition')
export class PetitionController {
  constructor(private readonly commands: PetitionCommands) {}

  @Get()
  @ApiOperation({ summary: 'The petition file with every statutory date it is bound by.' })
  view(@Caller() caller: Principal, @Param('id', uuid) id: string) {
    return this.commands.view(caller, id);
  }

  @Post('acceptance')
  @HttpCode(200)
  @ApiOperation({ summary: '受理 / 不予受理 / 转入法定途径 (Art 22, 23; 诉访分离), once.' })
  acceptance(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: AcceptanceDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.decideAcceptance(caller, id, body, { idempotency, ifMatch });
  }

  @Post('extension')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend the 60-day handling period once, ≤30 days, approved (Art 34).' })
  extension(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: ExtensionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.extend(caller, id, body, { idempotency, ifMatch });
  }

  @Post('opinion')
  @HttpCode(200)
  @ApiOperation({ summary: 'The 信访处理意见书: supported, explained or not supported (Art 32).' })
  opinion(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: OpinionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.issueOpinion(caller, id, body, { idempotency, ifMatch });
  }

  @Post('review-request')
  @HttpCode(200)
  @ApiOperation({ summary: 'The petitioner asks for review (复查) within 30 days (Art 35).' })
  reviewRequest(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: RequestDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.requestReview(caller, id, body, { idempotency, ifMatch });
  }

  @Post('review-decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'The review opinion, due 30 days after the request (Art 35).' })
  reviewDecision(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: DecisionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.decideReview(caller, id, body, { idempotency, ifMatch });
  }

  @Post('re-review-request')
  @HttpCode(200)
  @ApiOperation({ summary: 'The petitioner asks for re-review (复核) within 30 days (Art 36).' })
  reReviewRequest(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: RequestDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.requestReReview(caller, id, body, { idempotency, ifMatch });
  }

  @Post('re-review-decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'The re-review opinion, due 30 days after the request (Art 36).' })
  reReviewDecision(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: DecisionDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.decideReReview(caller, id, body, { idempotency, ifMatch });
  }

  @Post('hearing')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A hearing (听证) pauses the re-review; its days are not counted (Art 36¶2).',
  })
  hearing(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: HearingDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.startHearing(caller, id, body, { idempotency, ifMatch });
  }

  @Post('hearing/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'The hearing ended: the re-review decision is due later by its days.' })
  hearingEnd(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: HearingEndDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.endHearing(caller, id, body, { idempotency, ifMatch });
  }

  @Post('termination')
  @HttpCode(200)
  @ApiOperation({ summary: '终结 after the re-review opinion (Art 36¶3).' })
  termination(
    @Caller() caller: Principal,
    @Param('id', uuid) id: string,
    @Body() body: TerminationDto,
    @Idempotency() idempotency: IdempotencyOf,
    @IfMatch() ifMatch: number | undefined,
  ) {
    return this.commands.terminate(caller, id, body, { idempotency, ifMatch });
  }
}
