import { Idempotency, type IdempotencyOf } from '@casegrid/platform';
import { Body, ConflictException, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, assertAllowed, hashPassword } from '@casegrid/auth';
import { parentRegionCode, type Principal } from '@casegrid/identity';
import { CATEGORIES } from '@casegrid/intake';
import { uuidv7, ValidationError } from '@casegrid/kernel';
import { changedBy } from '@casegrid/runtime';
import {
  CreateDepartmentDto,
  CreateRegionDto,
  CreateUserDto,
  DepartmentQueryDto,
  PageQueryDto,
  RegionQueryDto,
} from './identity.dto';
import { IdentityService } from './identity.service';
import { decodeCursor } from './organisation.repository';

/** Regions, departments and users (API.md, Reference data): reads for all, writes for admins. */
@ApiTags('reference data')
@ApiBearerAuth()
@Controller()
export class OrganisationController {
  constructor(private readonly identity: IdentityService) {}

  private get repository() {
    return this.identity.repository;
  }

  /** Each write commits with its `<Kind>Changed` event on `casegrid.reference`. */
  private get publisher() {
    return this.identity.publisher;
  }

  @Get('regions')
  async regions(@Caller() caller: Principal, @Query() query: RegionQueryDto) {
    assertAllowed(caller, 'reference.read');
    return this.repository.regions(query.limit ?? 50, decodeCursor(query.cursor), query.parentCode);
  }

  @Post('regions')
  @ApiOperation({ summary: 'Add a region under an existing parent.' })
  async addRegion(
    @Caller() caller: Principal,
    @Body() body: CreateRegionDto,
    @Idempotency() idempotency: IdempotencyOf,
  ) {
    assertAllowed(caller, 'reference.write');
    const parent = parentRegionCode(body.code);
    if (parent !== undefined && !(await this.repository.region(parent))) {
      throw new ValidationError([
        { field: 'code', message: `its parent region ${parent} does not exist` },
      ]);
    }
    // A conflict throws inside the transaction, so it is never recorded as the key's answer.
    return this.publisher.write(
      'region',
      changedBy(caller),
      async (tx) => {
        const added = await this.repository.addRegion(body.code, body.name, tx);
        if (!added) throw new ConflictException(`region ${body.code} exists`);
        return added;
      },
      { ...idempotency, scope: caller.userId },
    );
  }

  @Get('categories')
  @ApiOperation({ summary: 'Dispute categories (codes are the contract).' })
  categories(@Caller() caller: Principal) {
    assertAllowed(caller, 'reference.read');
    return { items: CATEGORIES, nextCursor: null };
  }

  @Get('departments')
  async departments(@Caller() caller: Principal, @Query() query: DepartmentQueryDto) {
    assertAllowed(caller, 'reference.read');
    return this.repository.departments(
      query.limit ?? 50,
      decodeCursor(query.cursor),
      query.regionCode,
    );
  }

  @Post('departments')
  async addDepartment(
    @Caller() caller: Principal,
    @Body() body: CreateDepartmentDto,
    @Idempotency() idempotency: IdempotencyOf,
  ) {
    assertAllowed(caller, 'reference.write');
    if (!(await this.repository.region(body.regionCode))) {
      throw new ValidationError([{ field: 'regionCode', message: 'no such region' }]);
    }
    const department = { id: uuidv7(), ...body };
    return this.publisher.write(
      'department',
      changedBy(caller),
      (tx) => this.repository.addDepartment(department, tx),
      { ...idempotency, scope: caller.userId },
    );
  }

  @Get('users')
  async users(@Caller() caller: Principal, @Query() query: PageQueryDto) {
    assertAllowed(caller, 'reference.read');
    return this.repository.users(query.limit ?? 50, decodeCursor(query.cursor));
  }

  @Post('users')
  async addUser(
    @Caller() caller: Principal,
    @Body() body: CreateUserDto,
    @Idempotency() idempotency: IdempotencyOf,
  ) {
    assertAllowed(caller, 'reference.write');
    if (!(await this.repository.department(body.departmentId))) {
      throw new ValidationError([{ field: 'departmentId', message: 'no such department' }]);
    }
    const { password, ...fields } = body;
    const user = { id: uuidv7(), ...fields };
    // Hashed before the transaction: scrypt must not hold a connection and its locks.
    const hash = await hashPassword(password);
    return this.publisher.write(
      'user',
      changedBy(caller),
      async (tx) => {
        const added = await this.repository.addUser(user, hash, tx);
        if (!added) throw new ConflictException(`username ${body.username} is taken`);
        return added;
      },
      { ...idempotency, scope: caller.userId },
    );
  }
}
