import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
} from 'class-validator';
import { MAX_HOLIDAYS, MAX_MAKEUP_WORKDAYS, MAX_SOURCE_LENGTH } from '@casegrid/calendar';
import type { DeadlinePolicy } from '@casegrid/deadlines';

/*
 * The bodies of the reference-data writes, shared by intake (which stores them) and
 * supervision (which previews what they would do to running clocks), so that a preview
 * takes exactly what the write takes.
 */

const DATE_LIST = { type: 'string', format: 'date', isArray: true } as const;

/**
 * `PUT /calendars/{year}` and its preview. Documentation only: the body is checked by the
 * calendar lib's `checkCalendar`, which lists the problems of the path's year and of every
 * date in one 400, as class-validator, run parameter by parameter, could not.
 */
export class CalendarBodyDto {
  @ApiProperty({
    ...DATE_LIST,
    maxItems: MAX_HOLIDAYS,
    example: ['2026-10-01', '2026-10-02', '2026-10-03'],
    description:
      'Days off of the year (放假), each once. Weekends that merely adjoin a holiday need not be listed: every Saturday and Sunday is off unless it is a make-up workday.',
  })
  holidays!: string[];

  @ApiProperty({
    ...DATE_LIST,
    maxItems: MAX_MAKEUP_WORKDAYS,
    example: ['2026-09-20', '2026-10-10'],
    description:
      'Saturdays and Sundays of the year that are working days (调休上班), each once and none a holiday.',
  })
  makeupWorkdays!: string[];

  @ApiPropertyOptional({
    maxLength: MAX_SOURCE_LENGTH,
    nullable: true,
    example: 'https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm',
    description: 'Where the dates come from, e.g. the State Council notice.',
  })
  source?: string | null;
}

/** `PUT /deadline-policies` and its preview; each policy is checked by `deadlinePoliciesProblems`. */
export class DeadlinePoliciesDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'Policies to add or change, by code.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsObject({ each: true })
  items!: DeadlinePolicy[];

  @ApiPropertyOptional({
    default: false,
    description:
      'Also select the running clocks of each changed policy’s obligation again, as if started under the policies as saved: a clock the change now governs, or that ran under its code, follows the policy that governs it now (DeadlineRescheduled); by default a change applies to clocks started after it.',
  })
  @IsOptional()
  @IsBoolean()
  applyToRunning?: boolean;
}
