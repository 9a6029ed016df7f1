import { Body, Controller, Get, Put, type OnModuleInit } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject } from 'class-validator';
import { Caller, assertAllowed } from '@casegrid/auth';
import { deadlinePolicyProblems, type DeadlinePolicy } from '@casegrid/deadlines';
import type { Principal } from '@casegrid/identity';
import { ValidationError, type FieldError } from '@casegrid/kernel';
import { changedBy } from '@casegrid/runtime';
import { DeadlinePolicyRepository } from './deadline-policies.repository';

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
}

/** API.md, Reference data: `GET|PUT /deadline-policies` (reads for all, changes for admins). */
@ApiTags('reference data')
@ApiBearerAuth()
@Controller('deadline-policies')
export class DeadlinePoliciesController implements OnModuleInit {
  constructor(private readonly policies: DeadlinePolicyRepository) {}

  async onModuleInit(): Promise<void> {
    await this.policies.seedIfEmpty();
  }

  @Get()
  @ApiOperation({
    summary: 'The current version of every deadline policy, with its statutory basis.',
  })
  async list(@Caller() caller: Principal) {
    assertAllowed(caller, 'reference.read');
    return { items: await this.policies.current(), nextCursor: null };
  }

  @Put()
  @ApiOperation({
    summary: 'Add or change policies: each change is a new version, for clocks started after it.',
  })
  async save(@Caller() caller: Principal, @Body() body: DeadlinePoliciesDto) {
    assertAllowed(caller, 'reference.write');
    const errors: FieldError[] = body.items.flatMap((policy, i) =>
      deadlinePolicyProblems(policy, `items[${i}]`),
    );
    const codes = body.items.map((p) => p.code);
    codes.forEach((code, i) => {
      if (codes.indexOf(code) !== i)
        errors.push({ field: `items[${i}].code`, message: 'appears twice' });
    });
    if (errors.length > 0) throw new ValidationError(errors);
    const changed = await this.policies.save(body.items, changedBy(caller));
    return { changed, items: await this.policies.current(), nextCursor: null };
  }
}
