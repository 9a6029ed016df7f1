import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { DEPARTMENT_TYPES, type DepartmentType } from '@casegrid/identity';
import {
  CASE_KINDS,
  CATEGORIES,
  ROUTING_TIERS,
  SEVERITIES,
  type CaseKind,
  type RoutingTier,
  type Severity,
} from '@casegrid/intake';
import { RegionCodeRule } from '../identity/identity.dto';

const CATEGORY_CODES = CATEGORIES.map((c) => c.code);
export const MAX_CO_DEPARTMENT_TYPES = 10;

/** The lead is never its own co-handler: a rule naming it twice is a slip, not a wish. */
@ValidatorConstraint({ name: 'notTheLead' })
class NotTheLeadRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const lead = (args.object as Partial<RoutingRuleDto>).leadDepartmentType;
    return !Array.isArray(value) || !value.includes(lead);
  }
  defaultMessage(): string {
    return 'must not contain the lead department type';
  }
}

/**
 * A routing rule as an administrator writes it (POST adds, PUT replaces). A criterion
 * left out or null matches any case.
 */
export class RoutingRuleDto {
  @ApiPropertyOptional({ enum: CATEGORY_CODES, nullable: true, description: 'null: any category' })
  @IsOptional()
  @IsIn(CATEGORY_CODES)
  category?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    example: '370102001001',
    description: 'An existing region; the rule covers its subtree. null: anywhere.',
  })
  @IsOptional()
  @Validate(RegionCodeRule)
  regionCode?: string | null;

  @ApiPropertyOptional({ enum: CASE_KINDS, nullable: true, description: 'null: either kind' })
  @IsOptional()
  @IsIn(CASE_KINDS)
  kind?: CaseKind | null;

  @ApiPropertyOptional({ enum: SEVERITIES, nullable: true, description: 'null: any severity' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity | null;

  @ApiProperty({ enum: DEPARTMENT_TYPES })
  @IsIn(DEPARTMENT_TYPES)
  leadDepartmentType!: DepartmentType;

  @ApiPropertyOptional({
    enum: DEPARTMENT_TYPES,
    isArray: true,
    maxItems: MAX_CO_DEPARTMENT_TYPES,
    description: 'Co-handlers, resolved from the same place as the lead; default none.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CO_DEPARTMENT_TYPES)
  @ArrayUnique()
  @IsIn(DEPARTMENT_TYPES, { each: true })
  @Validate(NotTheLeadRule)
  coDepartmentTypes?: DepartmentType[] | null;

  @ApiPropertyOptional({
    enum: ROUTING_TIERS,
    nullable: true,
    description:
      'Tier of the lead; null: by severity (minor village, major township, complex county).',
  })
  @IsOptional()
  @IsIn(ROUTING_TIERS)
  tier?: RoutingTier | null;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, example: '医疗纠纷预防和处理条例 第22条' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string | null;
}
