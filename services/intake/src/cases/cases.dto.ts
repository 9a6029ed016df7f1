import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { IsRfc3339Time } from '@casegrid/platform';
import {
  PERSONAL_FIELDS,
  idNumberProblem,
  isPhoneNumber,
  type PersonalField,
} from '@casegrid/identity';
import {
  CASE_KINDS,
  CHANNELS,
  OUTCOMES,
  PARTY_ROLES,
  REFERRALS,
  SEVERITIES,
  TRACKS,
  URGENCIES,
  type CaseKind,
  type Channel,
  type Outcome,
  type PartyRole,
  type Referral,
  type Severity,
  type Track,
  type Urgency,
} from '@casegrid/intake';
import { RegionCodeRule } from '../identity/identity.dto';

const ID_NUMBER_MESSAGES = {
  format: 'must be 18 characters: 17 digits and a digit or X',
  birth_date: 'holds no valid birth date',
  check_digit: 'fails its check digit (GB 11643); please re-check the number',
} as const;

@ValidatorConstraint({ name: 'idNumber' })
class IdNumberRule implements ValidatorConstraintInterface {
  private problem: keyof typeof ID_NUMBER_MESSAGES | undefined;
  validate(value: unknown): boolean {
    this.problem = typeof value === 'string' ? idNumberProblem(value) : 'format';
    return this.problem === undefined;
  }
  defaultMessage(): string {
    return ID_NUMBER_MESSAGES[this.problem ?? 'format'];
  }
}

@ValidatorConstraint({ name: 'phone' })
class PhoneRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isPhoneNumber(value);
  }
  defaultMessage(): string {
    return 'must be a mainland mobile (13812345678) or a landline with area code (0531-86001234)';
  }
}

/** RFC 3339 with an offset: a time without a zone is ambiguous by eight hours. */

export class PartyDto {
  @ApiProperty({ enum: PARTY_ROLES })
  @IsIn(PARTY_ROLES)
  role!: PartyRole;

  @ApiProperty({ example: '张三' })
  @IsString()
  @Length(1, 50)
  name!: string;

  @ApiPropertyOptional({ example: '370102199003071238' })
  @IsOptional()
  @Validate(IdNumberRule)
  idNumber?: string;

  @ApiPropertyOptional({ example: '13812345678' })
  @IsOptional()
  @Validate(PhoneRule)
  phone?: string;

  @ApiPropertyOptional({ example: '济南市历下区山大路 1 号' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  address?: string;
}

export class AttachmentDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: 'SHA-256 of the file, hex.' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex digits' })
  sha256!: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(1_073_741_824)
  size!: number;
}

export class RegisterCaseDto {
  @ApiProperty({ enum: CASE_KINDS })
  @IsIn(CASE_KINDS)
  kind!: CaseKind;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApiProperty({ example: '楼上装修噪音纠纷' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 5000)
  description!: string;

  @ApiProperty({ example: 'neighbor' })
  @Matches(/^[a-z][a-z0-9_]{1,63}$/, { message: 'must be a category code such as neighbor' })
  category!: string;

  @ApiProperty({ example: '370102001001' })
  @Validate(RegionCodeRule)
  regionCode!: string;

  @ApiPropertyOptional({ enum: URGENCIES, default: 'normal' })
  @IsOptional()
  @IsIn(URGENCIES)
  urgency?: Urgency;

  @ApiPropertyOptional({ enum: SEVERITIES, default: 'minor' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({
    description: 'When the matter reached the centre; defaults to now, never in the future.',
  })
  @IsOptional()
  @IsRfc3339Time()
  receivedAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsRfc3339Time()
  occurredAt?: string;

  @ApiProperty({ type: [PartyDto], description: 'At least one applicant.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties!: PartyDto[];

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];
}

export class RevealDto {
  @ApiPropertyOptional({ description: 'Defaults to every party of the case.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  partyIds?: string[];

  @ApiPropertyOptional({
    enum: PERSONAL_FIELDS,
    isArray: true,
    description: 'Defaults to every field.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(PERSONAL_FIELDS, { each: true })
  fields?: PersonalField[];

  @ApiProperty({
    example: '电话回访核实诉求',
    description: 'Why the clear text is needed; recorded.',
  })
  @IsString()
  @Length(2, 200)
  reason!: string;
}

export class ErasureDto {
  @ApiProperty({ example: '当事人依《个人信息保护法》第四十七条申请删除' })
  @IsString()
  @Length(2, 500)
  reason!: string;
}

export class DispatchDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  leadDepartmentId!: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  coDepartmentIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  note?: string;
}

export class AcceptDto {
  @ApiProperty({ enum: TRACKS })
  @IsIn(TRACKS)
  track!: Track;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A handler of the lead department; defaults to the caller.',
  })
  @IsOptional()
  @IsUUID()
  handlerId?: string;
}

export class ReasonDto {
  @ApiProperty({ example: '不属于本单位职责范围' })
  @IsString()
  @Length(2, 1000)
  reason!: string;
}

export class TransferDto extends ReasonDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  toDepartmentId!: string;
}

export class ResolveDto {
  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome!: Outcome;

  @ApiProperty()
  @IsString()
  @Length(1, 5000)
  summary!: string;

  @ApiPropertyOptional({ enum: REFERRALS, description: 'Required when the outcome is referred.' })
  @IsOptional()
  @IsIn(REFERRALS)
  referral?: Referral;
}
