import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, assertAllowed } from '@casegrid/auth';
import { checkCalendar, MAX_YEAR, MIN_YEAR } from '@casegrid/calendar';
import type { Principal } from '@casegrid/identity';
import { ValidationError } from '@casegrid/kernel';
import { CalendarBodyDto, DeadlinePoliciesDto } from '@casegrid/runtime';
import { ReschedulePreview } from '../clocks/reschedule.preview';
import { PreviewQueryDto, ReschedulePreviewDto } from './reschedule-preview.dto';

const DEFAULT_LIMIT = 100;

/**
 * What-if of a calendar or policy change (issue 17): the running clocks it would move, with
 * their due times and lights before and after; nothing is written. Answered by supervision,
 * which holds the clocks, for the administrators who may make the change (intake's
 * `reference.write`), taking the very body the change takes.
 */
@ApiTags('reference data')
@ApiBearerAuth()
@Controller()
export class ReschedulePreviewController {
  constructor(private readonly preview: ReschedulePreview) {}

  @Post('calendars/:year/preview')
  @HttpCode(200)
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR } })
  @ApiBody({ type: CalendarBodyDto })
  @ApiOkResponse({ type: ReschedulePreviewDto })
  @ApiOperation({
    summary:
      "The running clocks that loading or replacing the year's calendar (PUT /calendars/{year}) would move; writes nothing.",
  })
  async calendar(
    @Caller() caller: Principal,
    @Param('year') rawYear: string,
    @Body() body: unknown,
    @Query() query: PreviewQueryDto,
  ) {
    assertAllowed(caller, 'reference.write');
    const input = checkCalendar(rawYear, body);
    if (!input.ok) throw new ValidationError(input.problems);
    return this.preview.calendar(input.value.year, input.value.calendar, pageOf(query));
  }

  @Post('deadline-policies/preview')
  @HttpCode(200)
  @ApiOkResponse({ type: ReschedulePreviewDto })
  @ApiOperation({
    summary:
      'The running clocks that saving these policies (PUT /deadline-policies) would move: none unless applyToRunning; writes nothing.',
  })
  async policies(
    @Caller() caller: Principal,
    @Body() body: DeadlinePoliciesDto,
    @Query() query: PreviewQueryDto,
  ) {
    assertAllowed(caller, 'reference.write');
    return this.preview.policies(body.items, body.applyToRunning === true, pageOf(query));
  }
}

const pageOf = (query: PreviewQueryDto) => ({
  limit: query.limit ?? DEFAULT_LIMIT,
  ...(query.cursor ? { cursor: query.cursor } : {}),
});
