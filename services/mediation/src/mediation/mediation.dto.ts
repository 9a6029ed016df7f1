import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
} from 'class-validator';
import { IsRfc3339Time } from '@casegrid/platform';
import {
  MEDIATION_REFERRALS,
  MEDIATION_TYPES,
  type MediationReferral,
  type MediationType,
} from '@casegrid/mediation';

export class OpenMediationDto {
  @ApiProperty({ enum: MEDIATION_TYPES, description: '三调联动: 人民调解, 行政调解, 司法调解.' })
  @IsIn(MEDIATION_TYPES)
  type!: MediationType;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Users with role mediator of your mediation body.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  mediatorIds!: string[];
}

export class SessionDto {
  @ApiProperty({ example: '2026-03-03T15:00:00+08:00' })
  @IsRfc3339Time()
  heldAt!: string;

  @ApiProperty({ example: '山大路社区调解室' })
  @IsString()
  @Length(1, 200)
  location!: string;

  @ApiProperty({
    type: [String],
    example: ['申请人', '被申请人', '社区网格员'],
    description: 'Who attended, by role or reference; no id numbers or phone numbers.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  attendees!: string[];

  @ApiProperty({ example: '双方陈述，初步同意协商' })
  @IsString()
  @Length(1, 5000)
  notes!: string;
}

export class AgreementDto {
  @ApiProperty({ example: '被申请人于三日内清理楼道杂物' })
  @IsString()
  @Length(1, 5000)
  terms!: string;

  @ApiProperty({ description: 'When the parties signed: the agreement takes effect (Art 29).' })
  @IsRfc3339Time()
  signedAt!: string;

  @ApiPropertyOptional({ description: 'When the agreement is to be performed; starts a clock.' })
  @IsOptional()
  @IsRfc3339Time()
  performanceDueAt?: string;
}

export class FailureDto {
  @ApiProperty({ example: '被申请人拒绝调解' })
  @IsString()
  @Length(2, 2000)
  reason!: string;

  @ApiProperty({ enum: MEDIATION_REFERRALS, description: 'none: 终止调解 without a referral.' })
  @IsIn(MEDIATION_REFERRALS)
  referral!: MediationReferral;
}

export class JudicialConfirmationDto {
  @ApiProperty({ example: '历下区人民法院解放路人民法庭' })
  @IsString()
  @Length(2, 200)
  court!: string;

  @ApiProperty({ description: 'Within 30 days of the agreement taking effect (Art 33).' })
  @IsRfc3339Time()
  requestedAt!: string;
}

export class JudicialDecisionDto {
  @ApiProperty()
  @IsBoolean()
  confirmed!: boolean;

  @ApiProperty()
  @IsRfc3339Time()
  decidedAt!: string;
}

export class EscalationDto {
  @ApiProperty({ example: '涉及多户，社区层面无法化解' })
  @IsString()
  @Length(2, 2000)
  reason!: string;
}
