import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { LIGHTS, type Light } from '@casegrid/supervision';

/** `?limit&cursor` of a preview: pages by case. */
export class PreviewQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

class RescheduleReasonDto {
  @ApiProperty({ enum: ['calendar', 'deadline_policy'] })
  kind!: string;

  @ApiPropertyOptional({ example: 2027, description: 'kind calendar: the year' })
  year?: number;

  @ApiPropertyOptional({ example: 'resolve.minor', description: 'kind deadline_policy: its code' })
  code?: string;

  @ApiProperty({ example: 1, description: 'The version the change would be saved as' })
  version!: number;
}

class PreviewedMoveDto {
  @ApiProperty({ format: 'uuid' })
  caseId!: string;

  @ApiProperty({ example: '2026-370102-000042' })
  number!: string;

  @ApiProperty({ example: 'c3' })
  clockId!: string;

  @ApiProperty({ example: 'resolve' })
  obligation!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: 'string' })
  departmentId!: string | null;

  @ApiProperty({ format: 'date-time', description: 'The due time now' })
  previousDueAt!: string;

  @ApiProperty({ format: 'date-time', description: 'The due time with the change' })
  dueAt!: string;

  @ApiProperty({ format: 'date-time' })
  previousWarnAt!: string;

  @ApiProperty({ format: 'date-time' })
  warnAt!: string;

  @ApiProperty({ enum: LIGHTS, description: 'The light now' })
  previousLight!: Light;

  @ApiProperty({
    enum: LIGHTS,
    description: 'The light with the change, once its warning or breach (if due) has fired',
  })
  light!: Light;

  @ApiProperty({
    description: 'Whether it would still count on weekends alone for a year not loaded',
  })
  calendarFallback!: boolean;

  @ApiProperty({ type: RescheduleReasonDto })
  reason!: RescheduleReasonDto;
}

export class ReschedulePreviewDto {
  @ApiProperty({ type: [PreviewedMoveDto] })
  items!: PreviewedMoveDto[];

  @ApiProperty({ type: 'string', nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}
