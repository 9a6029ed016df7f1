import { ApiProperty } from '@nestjs/swagger';
import { CalendarBodyDto } from '@casegrid/runtime';

export { CalendarBodyDto };

/* The OpenAPI shapes of `/calendars`; the body is the one supervision's preview takes too. */

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
