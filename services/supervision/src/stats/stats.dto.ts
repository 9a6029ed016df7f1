import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { IsRfc3339Time } from '@casegrid/platform';

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
  @IsRfc3339Time()
  from?: string;

  @ApiPropertyOptional({
    description: 'Cases registered before (default: the start of the month after `from`)',
  })
  @IsOptional()
  @IsRfc3339Time()
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
