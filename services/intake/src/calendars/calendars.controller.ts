import { changedBy } from '@casegrid/runtime';
import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, assertAllowed } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { NotFoundError, ValidationError } from '@casegrid/kernel';
import { CalendarRepository } from './calendar.repository';
import {
  MAX_YEAR,
  MIN_YEAR,
  checkCalendar,
  checkIfMatch,
  checkYear,
  problemsOf,
} from './calendar.validator';
import { CalendarBodyDto, CalendarDto, CalendarListDto } from './calendars.dto';

interface Response {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

const YEAR = {
  name: 'year',
  schema: { type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR },
} as const;

/**
 * The holiday calendars (API.md, Reference data): reads for every signed-in user, loads and
 * replacements for admins. The ETag of a calendar is its version, for If-Match.
 */
@ApiTags('reference data')
@ApiBearerAuth()
@Controller('calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarRepository) {}

  @Get()
  @ApiOkResponse({ type: CalendarListDto })
  async list(@Caller() caller: Principal) {
    assertAllowed(caller, 'reference.read');
    return { items: await this.calendars.years(), nextCursor: null };
  }

  @Get(':year')
  @ApiParam(YEAR)
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({ summary: "A year's holidays and make-up workdays; 404 when not loaded." })
  async one(
    @Caller() caller: Principal,
    @Param('year') rawYear: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    assertAllowed(caller, 'reference.read');
    const year = checkYear(rawYear);
    if (!year.ok) throw new ValidationError(year.problems);
    const calendar = await this.calendars.get(year.value);
    if (calendar === undefined) throw new NotFoundError(notLoaded(year.value));
    response.setHeader('ETag', `"${calendar.version}"`);
    return calendar;
  }

  @Put(':year')
  @ApiParam(YEAR)
  @ApiBody({ type: CalendarBodyDto })
  @ApiOkResponse({ type: CalendarDto, description: 'Replaced: one version further.' })
  @ApiCreatedResponse({ type: CalendarDto, description: 'Loaded: the year had no calendar.' })
  @ApiOperation({
    summary:
      "Load (201) or replace (200) a year's calendar; If-Match: <version> makes it conditional (412).",
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version last read.' })
  async put(
    @Caller() caller: Principal,
    @Param('year') rawYear: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
    @Headers('if-match') ifMatch?: string,
  ) {
    assertAllowed(caller, 'reference.write');
    const expectedVersion = checkIfMatch(ifMatch);
    const input = checkCalendar(rawYear, body);
    if (!input.ok || !expectedVersion.ok) {
      throw new ValidationError([...problemsOf(input), ...problemsOf(expectedVersion)]);
    }
    const { year, calendar } = input.value;
    const written = await this.calendars.put(
      year,
      calendar,
      expectedVersion.value,
      changedBy(caller),
    );
    response.status(written.created ? 201 : 200);
    response.setHeader('ETag', `"${written.record.version}"`);
    return written.record;
  }
}

const notLoaded = (year: number): string =>
  `No calendar is loaded for ${year}: until an admin loads it (PUT /api/v1/calendars/${year}), ` +
  'the calendar lib falls back to weekends only (every Saturday and Sunday off, no public ' +
  'holidays, no make-up workdays), so working-day deadlines in that year ignore its holidays.';
