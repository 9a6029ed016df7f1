import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { RFC_3339, RFC_3339_MESSAGE } from '../http/supervision.dto';

export const STATS_GROUPS = ['department', 'category', 'region', 'month'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

/** `GET /stats` (API.md, Supervision; docs/statistics.md). */
export class StatsQueryDto {
  @ApiPropertyOptional({
    example: '370102000000',
    description: 'Only cases in this region’s subtree (within your jurisdiction)',
  })
  @IsOptional()
  @Matches(/^\d{12}(\d{3})?$/, { message: 'must be a 12- or 15-digit region code' })
  regionCode?: string;

  @ApiPropertyOptional({
    description: 'Cases registered at or after (default: the start of this month, China time)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(RFC_3339, { message: RFC_3339_MESSAGE })
  from?: string;

  @ApiPropertyOptional({
    description: 'Cases registered before (default: the start of the month after `from`)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(RFC_3339, { message: RFC_3339_MESSAGE })
  to?: string;

  @ApiPropertyOptional({
    enum: STATS_GROUPS,
    default: 'department',
    description:
      'department: the lead department; category; region: the county, or one tier below regionCode; month: of registration, China time',
  })
  @IsOptional()
  @IsIn(STATS_GROUPS)
  groupBy?: StatsGroup;
}
