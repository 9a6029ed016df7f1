import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { StatsQueryDto } from './stats.dto';
import { StatsQueries } from './stats.queries';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller()
export class StatsController {
  constructor(private readonly queries: StatsQueries) {}

  @Get('stats')
  @ApiOperation({
    summary:
      'Statistics of the cases registered in a period, in your jurisdiction, per department, category, region or month: counts, on-time rate and the 12345 three rates (docs/statistics.md).',
  })
  stats(@Caller() caller: Principal, @Query() query: StatsQueryDto) {
    return this.queries.stats(caller, query);
  }
}
