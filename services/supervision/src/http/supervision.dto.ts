import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsRfc3339Time } from '@casegrid/platform';

import {
  FOLLOW_UP_METHODS,
  LEDGER_STATUSES,
  LIGHTS,
  SATISFACTIONS,
  SUPERVISION_LEVELS,
  type FollowUpMethod,
  type Light,
  type Satisfaction,
} from '@casegrid/supervision';

export class SupervisionOrderDto {
  @ApiProperty({ example: '王副县长', description: '包案领导: the leader answerable for the case' })
  @IsString()
  @Length(2, 100)
  responsibleLeader!: string;

  @ApiProperty({ format: 'uuid', description: 'The department that must act' })
  @IsUUID()
  responsibleDepartmentId!: string;

  @ApiProperty({ example: '2026-03-20T18:00:00+08:00', description: 'Due time of the order' })
  @IsRfc3339Time()
  dueAt!: string;

  @ApiProperty({ example: '限期化解，每周报告进展' })
  @IsString()
  @Length(2, 2000)
  instructions!: string;
}

export class FollowUpDto {
  @ApiProperty({ enum: FOLLOW_UP_METHODS })
  @IsIn(FOLLOW_UP_METHODS)
  method!: FollowUpMethod;

  @ApiProperty({ enum: SATISFACTIONS })
  @IsIn(SATISFACTIONS)
  satisfaction!: Satisfaction;

  @ApiProperty({ example: '当事人表示协议已履行，满意' })
  @IsString()
  @Length(2, 2000)
  notes!: string;
}

export class CloseDto {
  @ApiProperty({ example: '经回访当事人满意，予以销号' })
  @IsString()
  @Length(2, 1000)
  note!: string;
}

export class ReopenDto {
  @ApiProperty({ example: '当事人反映协议未履行' })
  @IsString()
  @Length(2, 1000)
  reason!: string;
}

export class DeadlinePauseDto {
  @ApiProperty({ example: '等待伤情鉴定结论', description: 'Why the clock stops (中止)' })
  @IsString()
  @Length(2, 1000)
  reason!: string;

  @ApiProperty({ example: '解放路街道司法所所长 李明', description: 'Who approved the pause' })
  @IsString()
  @Length(2, 100)
  approvedBy!: string;
}

export class DeadlineExtensionDto extends DeadlinePauseDto {
  @ApiProperty({ example: 5, description: "How much longer, in the clock's own unit" })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  length!: number;
}

/** `GET /cases`: the ledger's filters (API.md), all optional. */
export class LedgerQueryDto {
  @ApiPropertyOptional({ enum: LEDGER_STATUSES })
  @IsOptional()
  @IsIn(LEDGER_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: ['dispute', 'petition'] })
  @IsOptional()
  @IsIn(['dispute', 'petition'])
  kind?: string;

  @ApiPropertyOptional({ example: 'neighbor' })
  @IsOptional()
  @Matches(/^[a-z][a-z_]{1,40}$/, { message: 'must be a category code such as neighbor' })
  category?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Lead or co-handling department' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ example: '370102000000', description: 'Cases in this region’s subtree' })
  @IsOptional()
  @Matches(/^\d{12}(\d{3})?$/, { message: 'must be a 12- or 15-digit region code' })
  regionCode?: string;

  @ApiPropertyOptional({ enum: LIGHTS })
  @IsOptional()
  @IsIn(LIGHTS)
  light?: Light;

  @ApiPropertyOptional({ enum: SUPERVISION_LEVELS })
  @IsOptional()
  @IsIn(SUPERVISION_LEVELS)
  supervisionLevel?: string;

  @ApiPropertyOptional({ description: 'Words of the title, or the case number' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ description: 'Registered at or after' })
  @IsOptional()
  @IsRfc3339Time()
  from?: string;

  @ApiPropertyOptional({ description: 'Registered before' })
  @IsOptional()
  @IsRfc3339Time()
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{10,200}$/, { message: 'must be a nextCursor from a previous page' })
  cursor?: string;
}

/** `GET /notices`. */
export class NoticeQueryDto {
  @ApiPropertyOptional({ example: '370100000000' })
  @IsOptional()
  @Matches(/^\d{12}(\d{3})?$/, { message: 'must be a 12- or 15-digit region code' })
  regionCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsRfc3339Time()
  from?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsRfc3339Time()
  to?: string;
}
