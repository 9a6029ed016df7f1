import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
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
  type ValidatorConstraintInterface,
  ValidatorConstraint,
} from 'class-validator';
import {
  DEPARTMENT_TYPES,
  ROLES,
  isRegionCode,
  type DepartmentType,
  type Role,
} from '@casegrid/identity';

@ValidatorConstraint({ name: 'regionCode' })
export class RegionCodeRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isRegionCode(value);
  }
  defaultMessage(): string {
    return 'must be a 12-digit division code (15 digits for a grid), e.g. 370102001001';
  }
}

export class LoginDto {
  @ApiProperty({ example: 'clerk.jiefang' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ example: 'casegrid-demo' })
  @IsString()
  @Length(1, 256)
  password!: string;
}

export class CreateUserDto {
  @ApiProperty({
    example: 'handler.jiefang.sfs',
    description: 'Letters, digits, dot, dash, underscore.',
  })
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, {
    message: 'must be 3–64 letters, digits, dots, dashes or underscores',
  })
  username!: string;

  @ApiProperty({ example: '孙明' })
  @IsString()
  @Length(1, 64)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  departmentId!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiProperty({ minLength: 12, description: 'At least 12 characters.' })
  @IsString()
  @Length(12, 256)
  password!: string;
}

export class CreateRegionDto {
  @ApiProperty({ example: '370102001003' })
  @Validate(RegionCodeRule)
  code!: string;

  @ApiProperty({ example: '文化东路社区' })
  @IsString()
  @Length(1, 64)
  name!: string;
}

export class CreateDepartmentDto {
  @ApiProperty({ example: '解放路街道司法所' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: DEPARTMENT_TYPES })
  @IsIn(DEPARTMENT_TYPES)
  type!: DepartmentType;

  @ApiProperty({ example: '370102001000' })
  @Validate(RegionCodeRule)
  regionCode!: string;
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

export class RegionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the children of this region.' })
  @IsOptional()
  @Validate(RegionCodeRule)
  parentCode?: string;
}

export class DepartmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Validate(RegionCodeRule)
  regionCode?: string;
}
