import { Body, Controller, Get, Put, type OnModuleInit } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, assertAllowed } from '@casegrid/auth';
import { deadlinePoliciesProblems } from '@casegrid/deadlines';
import type { Principal } from '@casegrid/identity';
import { ValidationError } from '@casegrid/kernel';
import { changedBy, DeadlinePoliciesDto } from '@casegrid/runtime';
import { DeadlinePolicyRepository } from './deadline-policies.repository';

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
    summary:
      'Add or change policies: each change is a new version, for clocks started after it (and, with applyToRunning, for the running clocks it now governs or governed before: POST /deadline-policies/preview shows which). A code keeps its obligation.',
  })
  async save(@Caller() caller: Principal, @Body() body: DeadlinePoliciesDto) {
    assertAllowed(caller, 'reference.write');
    const errors = deadlinePoliciesProblems(body.items, await this.policies.current());
    if (errors.length > 0) throw new ValidationError(errors);
    const changed = await this.policies.save(body.items, changedBy(caller), {
      applyToRunning: body.applyToRunning === true,
    });
    return { changed, items: await this.policies.current(), nextCursor: null };
  }
}
