import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_HOLIDAYS, MAX_MAKEUP_WORKDAYS, MAX_SOURCE_LENGTH } from './calendar.validator';

/*
 * The OpenAPI shapes of `/calendars`. Documentation only: a PUT's body is checked by
 * calendar.validator.ts, which lists the problems of the path's year and of every date in
 * one 400, as class-validator, run parameter by parameter, could not.
 */

const DATE_LIST = { type: 'string', format: 'date', isArray: true } as const;

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

export class CalendarDto extends CalendarBodyDto {
  @ApiProperty({ example: 2026 })
  year!: number;

  @ApiProperty({ example: 1, description: 'Bumped by every PUT; send it back in If-Match.' })
  version!: number;
}

class CalendarVersionDto {
  @ApiProperty({ example: 2026 })
  year!: number;

  @ApiProperty({ example: 1 })
  version!: number;
}

export class CalendarListDto {
  @ApiProperty({ type: [CalendarVersionDto] })
  items!: CalendarVersionDto[];

  @ApiProperty({ type: 'string', nullable: true, example: null, description: 'Always null.' })
  nextCursor!: null;
}
