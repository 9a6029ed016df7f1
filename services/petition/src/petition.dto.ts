import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsRfc3339Time } from '@casegrid/platform';
import {
  ACCEPTANCE_DECISIONS,
  DIVERSION_CHANNELS,
  MAX_EXTENSION_DAYS,
  OPINION_RESULTS,
  type AcceptanceDecision,
  type DiversionChannel,
  type OpinionResult,
} from '@casegrid/petition';

/** RFC 3339 with an offset: a time without a zone is ambiguous by eight hours. */
const Time = IsRfc3339Time;
/** When the act was done on paper: defaults to now, never in the future, never before what it answers. */
const WhenDone = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        'When it was done; defaults to now, never in the future nor before what it answers.',
    }),
    IsOptional(),
    Time(),
  );

export class AcceptanceDto {
  @ApiProperty({
    enum: ACCEPTANCE_DECISIONS,
    description: '受理 / 不予受理 / 转入法定途径 (诉访分离).',
  })
  @IsIn(ACCEPTANCE_DECISIONS)
  decision!: AcceptanceDecision;

  @ApiProperty({ example: '属本机关职责范围，依法受理' })
  @IsString()
  @Length(2, 1000)
  reason!: string;

  @ApiPropertyOptional({
    enum: DIVERSION_CHANNELS,
    description: 'Required when diverted: the legal channel.',
  })
  @IsOptional()
  @IsIn(DIVERSION_CHANNELS)
  channel?: DiversionChannel;

  @WhenDone()
  decidedAt?: string;
}

export class ExtensionDto {
  @ApiProperty({
    minimum: 1,
    maximum: MAX_EXTENSION_DAYS,
    description: '信访工作条例 第三十四条: at most 30 days, once.',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_EXTENSION_DAYS, { message: 'must not exceed 30 days (信访工作条例 第三十四条)' })
  days!: number;

  @ApiProperty({ example: '涉及多个部门，情况复杂' })
  @IsString()
  @Length(2, 1000)
  reason!: string;

  @ApiProperty({
    example: '历下区信访局局长 李明',
    description: 'The head of the organ (本机关、单位负责人) who approved it.',
  })
  @IsString()
  @Length(2, 100)
  approvedBy!: string;

  @WhenDone()
  approvedAt?: string;
}

/** An answer of the 信访工作条例 Art 32: 予以支持 / 解释说明 / 不予支持. */
class AnswerDto {
  @ApiProperty({
    enum: OPINION_RESULTS,
    description:
      'supported, explained or not_supported (Art 32); a partly founded claim is supported for its founded part, the text says which.',
  })
  @IsIn(OPINION_RESULTS)
  result!: OpinionResult;

  @ApiProperty({ example: '经调查核实，予以支持，责成用人单位补发工资' })
  @IsString()
  @Length(1, 10_000)
  text!: string;
}

/** The first opinion (信访处理意见书). */
export class OpinionDto extends AnswerDto {
  @WhenDone()
  issuedAt?: string;
}

/** A review or re-review opinion. */
export class DecisionDto extends AnswerDto {
  @WhenDone()
  decidedAt?: string;
}

export class RequestDto {
  @ApiProperty({
    description:
      'When the request reached the organ (in the past): the window is checked against it.',
  })
  @Time()
  requestedAt!: string;

  @ApiProperty({ example: '对处理意见不服，请求复查' })
  @IsString()
  @Length(2, 5000)
  grounds!: string;
}

export class TerminationDto {
  @ApiProperty({ example: '经复核终结，同一事实和理由不再受理（信访工作条例第三十六条第三款）' })
  @IsString()
  @Length(2, 2000)
  basis!: string;

  @WhenDone()
  terminatedAt?: string;
}

/** 听证 during re-review (Art 36¶2): its time is not counted. */
export class HearingDto {
  @ApiProperty({ example: '争议较大，组织听证' })
  @IsString()
  @Length(2, 1000)
  reason!: string;

  @WhenDone()
  startedAt?: string;
}

export class HearingEndDto {
  @WhenDone()
  endedAt?: string;
}
